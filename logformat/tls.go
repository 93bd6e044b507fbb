package logformat

import "strconv"

// TLS holds what mod_ssl's %{VAR}x and %{name}c items log about a
// connection's TLS session. A Record whose TLS is nil came over a plain
// connection.
type TLS struct {
	Protocol            string // SSL_PROTOCOL, as OpenSSL names it: "TLSv1.3", "TLSv1.2", ...
	Cipher              string // SSL_CIPHER, OpenSSL's name: "TLS_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"
	UseKeySize          int    // SSL_CIPHER_USEKEYSIZE: the secret bits the cipher uses
	AlgKeySize          int    // SSL_CIPHER_ALGKEYSIZE: the bits of the algorithm's key
	SNI                 string // SSL_TLS_SNI: the name the client sent, "" if none
	Resumed             bool   // SSL_SESSION_RESUMED: the session was resumed
	SecureRenegotiation bool   // SSL_SECURE_RENEG: the client supports RFC 5746
}

// sslVar is a mod_ssl variable a format logs, chosen when it is compiled.
type sslVar uint8

const (
	sslNone         sslVar = iota // logs "-": no value without client certificates
	sslHTTPS                      // HTTPS: "on" or "off"
	sslProtocol                   // SSL_PROTOCOL
	sslCipher                     // SSL_CIPHER
	sslUseKeySize                 // SSL_CIPHER_USEKEYSIZE
	sslAlgKeySize                 // SSL_CIPHER_ALGKEYSIZE
	sslExport                     // SSL_CIPHER_EXPORT
	sslSNI                        // SSL_TLS_SNI
	sslResumed                    // SSL_SESSION_RESUMED
	sslClientVerify               // SSL_CLIENT_VERIFY
	sslCompress                   // SSL_COMPRESS_METHOD
	sslSecureReneg                // SSL_SECURE_RENEG
)

// sslVars are the names of ssl_var_lookup that logproxy logs. Variables of
// a client certificate (SSL_CLIENT_S_DN, ...) log "-": logproxy asks for
// none, and httpd logs "-" for them without one.
var sslVars = map[string]sslVar{
	"HTTPS":                 sslHTTPS,
	"SSL_PROTOCOL":          sslProtocol,
	"SSL_CIPHER":            sslCipher,
	"SSL_CIPHER_USEKEYSIZE": sslUseKeySize,
	"SSL_CIPHER_ALGKEYSIZE": sslAlgKeySize,
	"SSL_CIPHER_EXPORT":     sslExport,
	"SSL_TLS_SNI":           sslSNI,
	"SSL_SESSION_RESUMED":   sslResumed,
	"SSL_CLIENT_VERIFY":     sslClientVerify,
	"SSL_COMPRESS_METHOD":   sslCompress,
	"SSL_SECURE_RENEG":      sslSecureReneg,
	"SSL_CLIENT_S_DN":       sslNone,
	"SSL_CLIENT_I_DN":       sslNone,
	"SSL_CLIENT_M_SERIAL":   sslNone,
	"SSL_CLIENT_V_START":    sslNone,
	"SSL_CLIENT_V_END":      sslNone,
	"SSL_CLIENT_CERT":       sslNone,
}

// compileSSL sets up a %{VAR}x or %{name}c item (ssl_var_log_handler_x
// and _c of mod_ssl). A variable logproxy does not know is refused rather
// than logged as "-".
func (it *item) compileSSL(letter byte) *SyntaxError {
	if letter == 'c' {
		// The compatibility names: version and cipher, and the client
		// certificate's and verification's, which log "-" here.
		switch it.arg {
		case "version":
			it.ssl = sslProtocol
		case "cipher":
			it.ssl = sslCipher
		default:
			it.ssl = sslNone
		}
		return nil
	}
	v, ok := sslVars[it.arg]
	if !ok {
		return &SyntaxError{Offset: it.itemOff, Msg: "%{" + it.arg + "}x: logproxy does not log this mod_ssl variable (it logs HTTPS, SSL_PROTOCOL, SSL_CIPHER, SSL_CIPHER_USEKEYSIZE, SSL_CIPHER_ALGKEYSIZE, SSL_CIPHER_EXPORT, SSL_TLS_SNI, SSL_SESSION_RESUMED, SSL_CLIENT_VERIFY, SSL_COMPRESS_METHOD, SSL_SECURE_RENEG and the SSL_CLIENT_ certificate variables)"}
	}
	it.ssl = v
	return nil
}

// appendSSL renders an ssl item as ssl_var_lookup answers it, "-" for
// an empty or missing value.
func (f *Format) appendSSL(dst []byte, it *item, t *TLS) []byte {
	if it.ssl == sslHTTPS {
		if t == nil {
			return append(dst, "off"...)
		}
		return append(dst, "on"...)
	}
	if it.ssl == sslSNI && t != nil {
		// httpd logs the name as OpenSSL passed it; it is escaped here,
		// so that no client can put a quote or control byte in the line.
		return f.escapedOrDash(dst, t.SNI)
	}
	n := len(dst)
	if dst = appendSSLValue(dst, t, it.ssl); len(dst) == n {
		dst = append(dst, '-')
	}
	return dst
}

// appendSSLValue appends the value of a mod_ssl variable, nothing when
// it has none (a plain connection, no client certificate).
func appendSSLValue(dst []byte, t *TLS, v sslVar) []byte {
	if t == nil {
		return dst
	}
	switch v {
	case sslProtocol:
		return append(dst, t.Protocol...)
	case sslCipher:
		return append(dst, t.Cipher...)
	case sslUseKeySize:
		return strconv.AppendInt(dst, int64(t.UseKeySize), 10)
	case sslAlgKeySize:
		return strconv.AppendInt(dst, int64(t.AlgKeySize), 10)
	case sslExport:
		return append(dst, "false"...)
	case sslSNI:
		return append(dst, t.SNI...)
	case sslResumed:
		if t.Resumed {
			return append(dst, "Resumed"...)
		}
		return append(dst, "Initial"...)
	case sslClientVerify:
		return append(dst, "NONE"...)
	case sslCompress:
		return append(dst, "NULL"...)
	case sslSecureReneg:
		if t.SecureRenegotiation {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	}
	return dst
}

// IsSSLVar reports whether logproxy knows the mod_ssl variable name
// (SSL_PROTOCOL, ...; HTTPS is not one of these).
func IsSSLVar(name string) bool {
	_, ok := sslVars[name]
	return ok && name != "HTTPS"
}

// SSLVar returns the value ssl_var_lookup gives the mod_ssl variable
// name (see IsSSLVar) on a connection with TLS session t (nil: a plain
// connection): "" when it has none.
func SSLVar(t *TLS, name string) string {
	v, ok := sslVars[name]
	if !ok || v == sslHTTPS {
		return ""
	}
	return string(appendSSLValue(nil, t, v))
}
