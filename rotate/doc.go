// Package rotate is a log writer that several processes can share, with size
// and time rotation, and the in-process stand-in for Apache's rotatelogs
// and piped logs.
//
// # Writer
//
// New returns a Writer for a path. Every line is one write(2) on a file
// opened O_APPEND, so lines of different processes never interleave, and
// the Writer rotates by size (Options.MaxSize) and by time
// (Options.Interval, aligned to the wall clock of Options.Location: every N
// seconds, hourly, daily at midnight), names files as rotatelogs or as
// lumberjack does (Options.Naming), keeps a number or an age of rotated
// files, and can gzip them in the background.
//
// Any number of Writers, in any number of processes, may share one path:
// logproxy's old and new process during a reload or an upgrade, several
// instances with one log directory, and `logproxy rotatelogs` instances
// fed by Apache or nginx. They coordinate through a lock file beside the
// log (.NAME.rotate), which each maps into memory:
//
//   - The state word holds the generation of the current file and the bytes
//     taken in it. A line reserves its bytes with one compare-and-swap and is
//     written, with no lock and no system call besides the write; so the size
//     limit holds across processes (a file never passes MaxSize, but for a
//     single line longer than MaxSize), and a Writer sees in the state word,
//     at its next line, that another process has opened a new file.
//   - A rotation takes flock(LOCK_EX) on the lock file, which the kernel
//     drops when its holder dies, even by SIGKILL. It closes the state word
//     to new lines, moves or names the files, opens the new one with
//     O_APPEND, records its name and identity (device and inode) and
//     publishes the next generation. A Writer that finds the state closed
//     finishes the rotation from what the lock file and the directory say:
//     one that died half way leaves nothing stuck and nothing inconsistent.
//     Each time boundary and each full file is rotated exactly once, by
//     whichever process comes first; the others follow.
//   - With time rotation, the clock is read once per line, and again under
//     the lock; a line goes into the file of the period that was current
//     when it was written, never into an earlier one.
//   - Each Writer owns a slot of the lock file, held by an
//     open-file-description lock that also dies with its holder, where it
//     marks the generation it is writing a line to. A rotated file is
//     compressed only once no live Writer is in the middle of a line to it,
//     so no line written late into a rotated file is lost.
//
// One limit is the kernel's, and no writer escapes it: a write(2) is
// copied into the page cache a page at a time, and a process killed by
// SIGKILL while its line crosses a 4 KiB boundary of the file can leave the
// first part of that line, up to the boundary, with the next line of
// another writer glued to it (Apache's rotatelogs and httpd's own logs
// alike). The multi-process test counts such lines apart, and checks that
// each is the line the killed process was writing.
//
// When a line cannot be written (disk full, a file that cannot be
// created), the Writer counts it (Lost), tells Options.ErrorLog at most
// once per Options.ReportInterval, and tries again with the next line; it
// needs nothing to resume. The proxy keeps serving meanwhile.
//
// # lumberjack, and what rotate adds
//
// gopkg.in/natefinch/lumberjack.v2 is the usual Go answer and rotate keeps
// to it where it can: its backup names (NameBackups:
// name-2006-01-02T15-04-05.000.ext, .gz once compressed), its retention
// rules (MaxBackups counts a file and its .gz once; MaxAge goes by the time
// in the name) and its compression format, so a directory lumberjack
// managed can be taken over, and back. What it cannot do is share a file
// between processes, which is logproxy's normal case; measured with 4 to 8
// processes it lost from 2,000 lines to all of them and let files grow to 2
// to 7 times the limit:
//
//   - it creates the new file without O_APPEND, so its creator overwrites
//     what the others append;
//   - two processes rotating in the same millisecond pick the same backup
//     name, and one rename overwrites the other's file;
//   - its mill compresses, then deletes, a backup that other processes still
//     write into;
//   - each process counts only its own bytes, so no size limit holds;
//   - its size unit is the megabyte, it has no time rotation, and its mill
//     goroutine has no way to end.
//
// Its naming, retention and compression live in unexported functions that
// only its single-process Logger can reach, so rotate implements the same
// rules over the lock file (mill.go) rather than calling it. lumberjack
// stays in the tests and benchmarks, run against the same multi-process
// checks (integration/rotate_test.go), for comparison.
//
// # rotatelogs
//
// ParseRotatelogsArgs reads an Apache rotatelogs command line (-l -L -p -f
// -D -t -T -v -e -c -n, sizes, times, both, and the UTC offset, with
// rotatelogs' quirks) into Options for New; `logproxy rotatelogs` is the
// drop-in program built on it. Apache's rotatelogs is safe only when one
// instance is fed by every writer (one instance per writer lost up to 17%
// of the lines); any number of `logproxy rotatelogs` may share a log. They
// differ from rotatelogs where rotatelogs loses or mixes lines: a rotation
// that would reopen the file it leaves (twice in one second) opens
// name.1, name.2, … instead; a file that cannot be opened is retried at
// each line rather than truncating the previous one; sizes are 64-bit.
//
// # Piped logs
//
// OpenPiped opens what follows the '|' of CustomLog "|program args" or
// "||program args": rotatelogs (Apache's or logproxy's) runs in-process with
// the same Writer, with no child process; any other program is started as
// httpd starts it, with a Pipe that restarts it when it dies and keeps the
// lines meanwhile in a bounded buffer, counting those it must drop.
package rotate
