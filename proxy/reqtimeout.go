package proxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReadTimeout is one stage of mod_reqtimeout's RequestReadTimeout: the
// client has Initial to send the stage (the request head, or the body); each
// MinRate bytes per second it sends extend that, up to Max.
type ReadTimeout struct {
	Initial time.Duration // 0: the stage is not limited (Timeout applies)
	Max     time.Duration // 0: no maximum
	MinRate int           // bytes per second that extend the deadline; 0: none
}

// ReqTimeout is RequestReadTimeout for the request head and body.
type ReqTimeout struct {
	Header ReadTimeout
	Body   ReadTimeout
}

// DefaultReqTimeout returns mod_reqtimeout's default when the module is
// loaded: header=20-40,MinRate=500 body=20,MinRate=500.
func DefaultReqTimeout() ReqTimeout {
	return ReqTimeout{
		Header: ReadTimeout{Initial: 20 * time.Second, Max: 40 * time.Second, MinRate: 500},
		Body:   ReadTimeout{Initial: 20 * time.Second, MinRate: 500},
	}
}

// ParseReqTimeout reads the arguments of RequestReadTimeout into rt, as
// mod_reqtimeout's set_reqtimeouts: stage=timeout[-maxtimeout][,MinRate=rate]
// for the stages handshake (accepted, TLS only), header and body.
func ParseReqTimeout(rt *ReqTimeout, args []string) error {
	for _, a := range args {
		stage, val, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("RequestReadTimeout: missing '=' in %q", a)
		}
		var dst *ReadTimeout
		switch strings.ToLower(stage) {
		case "header":
			dst = &rt.Header
		case "body":
			dst = &rt.Body
		case "handshake":
			continue
		default:
			return fmt.Errorf("unknown RequestReadTimeout parameter %q", stage)
		}
		val, rate, hasRate := strings.Cut(val, ",")
		lo, hi, hasMax := strings.Cut(val, "-")
		n, err := strconv.Atoi(lo)
		if err != nil || n < 0 {
			return fmt.Errorf("RequestReadTimeout: bad timeout %q", lo)
		}
		*dst = ReadTimeout{Initial: time.Duration(n) * time.Second}
		if hasMax {
			m, err := strconv.Atoi(hi)
			if err != nil || m < n {
				return fmt.Errorf("RequestReadTimeout: bad maximum timeout %q", hi)
			}
			dst.Max = time.Duration(m) * time.Second
		}
		if hasRate {
			k, v, _ := strings.Cut(rate, "=")
			r, err := strconv.Atoi(v)
			if !strings.EqualFold(k, "MinRate") || err != nil || r <= 0 {
				return fmt.Errorf("RequestReadTimeout: bad MinRate %q", rate)
			}
			dst.MinRate = r
		}
	}
	return nil
}

// readClock applies one RequestReadTimeout stage to a connection's reads:
// it keeps the deadline and moves it as bytes arrive.
type readClock struct {
	rt       ReadTimeout
	deadline time.Time
	limit    time.Time // start + Max
	carry    int       // bytes not yet turned into extra time
}

// start begins the stage at now; it returns the first deadline.
func (k *readClock) start(rt ReadTimeout, now time.Time) time.Time {
	*k = readClock{rt: rt}
	if rt.Initial <= 0 {
		return time.Time{}
	}
	k.deadline = now.Add(rt.Initial)
	if rt.Max > 0 {
		k.limit = now.Add(rt.Max)
	}
	return k.deadline
}

// read accounts n bytes received and returns the new deadline, or the zero
// time when it did not change.
func (k *readClock) read(n int) time.Time {
	if k.rt.Initial <= 0 || k.rt.MinRate <= 0 || n <= 0 {
		return time.Time{}
	}
	k.carry += n
	secs := k.carry / k.rt.MinRate
	if secs == 0 {
		return time.Time{}
	}
	k.carry -= secs * k.rt.MinRate
	d := k.deadline.Add(time.Duration(secs) * time.Second)
	if !k.limit.IsZero() && d.After(k.limit) {
		d = k.limit
	}
	if !d.After(k.deadline) {
		return time.Time{}
	}
	k.deadline = d
	return d
}
