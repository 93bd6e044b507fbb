package rotate

import (
	"io"
	"io/fs"
	"time"
)

// Options configure a Writer. The zero value appends to the path with no
// rotation (and still follows a rotation made by another process). Every
// Writer of one path must be given the same rotation options.
type Options struct {
	// MaxSize rotates before a line would take the file past MaxSize
	// bytes. A line longer than MaxSize goes alone into a file of its
	// own. Zero: no rotation for size.
	MaxSize int64
	// Interval rotates at every multiple of Interval since the epoch, as
	// seen in Location: 24*time.Hour rotates at midnight there,
	// time.Hour on the hour. Zero: no rotation by time.
	Interval time.Duration
	// Location is the zone of the time boundaries and of the times in file
	// names. Nil means UTC. rotatelogs -l is logformat.LocalZone(); its
	// offset argument is a time.FixedZone.
	Location *time.Location

	// Naming says how the files are named; the zero value is lumberjack's.
	Naming Naming
	// Files is the size of the ring of NameNumbered (rotatelogs -n).
	Files int
	// TruncateRotated truncates a file that a rotation opens and that
	// exists already, instead of appending to it (rotatelogs -T).
	TruncateRotated bool

	// MaxBackups keeps at most this many rotated files, removing the
	// oldest (NameBackups and NameStamped). Zero keeps them all.
	MaxBackups int
	// MaxAge removes rotated files older than this: by the time in their
	// name for NameBackups, by modification time for NameStamped. Zero
	// keeps them however old.
	MaxAge time.Duration
	// Compress gzips rotated files in the background (NameBackups and
	// NameStamped), adding .gz to their name, once no process is still
	// writing a line into them.
	Compress bool

	// Dir is the directory a relative path, Link and PostRotate are taken
	// from, and the one PostRotate runs in (httpd's ServerRoot). Empty:
	// the current directory.
	Dir string
	// Mode is the permission of new files, before the umask. Zero: 0666,
	// as httpd and rotatelogs.
	Mode fs.FileMode
	// MakeDirs creates the parent directories of a log file (rotatelogs
	// -D).
	MakeDirs bool
	// ForceOpen opens the file in New instead of at the first line, so
	// that it exists even if no line comes (rotatelogs -f).
	ForceOpen bool
	// CreateEmpty opens the next file at each time boundary even if no line
	// comes (rotatelogs -c). It needs Interval.
	CreateEmpty bool
	// Link is a hard link made to each new file (rotatelogs -L).
	Link string
	// PostRotate is a program run after each new file is opened by this
	// process, with the new file name and, after a rotation, the previous
	// one as arguments (rotatelogs -p). It is not looked up in $PATH.
	PostRotate string
	// Echo receives a copy of every line (rotatelogs -e).
	Echo io.Writer
	// Verbose receives rotatelogs -v's messages: the files opened and
	// closed, and why.
	Verbose io.Writer

	// ErrorLog receives the reports of lines that could not be written:
	// at most one per ReportInterval while writing fails, and one when it
	// works again (also at most one per ReportInterval: when writing flaps,
	// the lines lost meanwhile wait for the next report that is due). When ErrorLog is set, Write reports a line it could not
	// write there and returns no error, so that a caller that logs every
	// error does not log once per line; Lost counts them. When it is nil,
	// Write returns the error.
	ErrorLog func(error)
	// ReportInterval is the least time between two reports. Zero: one
	// minute.
	ReportInterval time.Duration

	// Clock tells the time. Nil: time.Now.
	Clock func() time.Time
	// FS is where the log files are. Nil: the operating system's.
	FS FS
	// LockFile is the file the processes sharing the log coordinate
	// through. Empty: ".NAME.rotate" in the log's directory (the first
	// directory of a strftime pattern that holds no conversion).
	LockFile string
}

const (
	defaultMode           = 0o666
	defaultReportInterval = time.Minute
)
