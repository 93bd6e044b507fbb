package config_test

import (
	"errors"
	"fmt"
	"testing/fstest"

	"github.com/jl6/logproxy/config"
)

func ExampleParse() {
	src := `
LogFormat "%h %l %u %t \"%r\" %>s %b" common
<VirtualHost *:80>
    ServerName www.example.test
    CustomLog logs/access.log common
    LogFormat "%Z" broken
</VirtualHost>
<Directory /srv>
    TransferLog logs/transfer.log
</Directory>
`
	opts := &config.Options{ServerRoot: "/", FS: fstest.MapFS{}}
	cfg, err := config.Parse("httpd.conf", []byte(src), opts)
	var list config.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Println(e)
		}
	}
	fmt.Print(cfg.Directives[1])
	// Output:
	// httpd.conf:6: Unrecognized LogFormat directive %Z (at byte 1 of the format)
	// httpd.conf:9: TransferLog not allowed in <Directory> context
	// <VirtualHost *:80>
	//     ServerName www.example.test
	//     CustomLog logs/access.log common
	//     LogFormat %Z broken
	// </VirtualHost>
}

func ExampleParseExpr() {
	_, err := config.ParseExpr(`%{REQUEST_URI} =~ /(`)
	fmt.Println(err)
	e, _ := config.ParseExpr(`%{REQUEST_STATUS} -ge 400 and not %{REQUEST_URI} =~ m#^/health#`)
	fmt.Println(e)
	// Output:
	// syntax error, unexpected $end, expecting T_REGEX or T_REGEX_I
	// %{REQUEST_STATUS} -ge 400 && !%{REQUEST_URI} =~ m#^/health#
}
