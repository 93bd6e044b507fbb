package config

import (
	"testing"
	"time"
)

const balHead = "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\n" +
	"LoadModule proxy_balancer_module x\nLoadModule lbmethod_byrequests_module x\nLoadModule authz_core_module x\n" +
	"LoadModule headers_module x\n"

func TestBuildBalancer(t *testing.T) {
	site, err := buildText(t, balHead+`<Proxy "balancer://App">
BalancerMember "HTTP://Backend.test:8001/x/" loadfactor=3 route=r1 retry=5 timeout=7
BalancerMember http://backend.test:8002 status=+H
ProxySet lbmethod=byrequests maxattempts=1
Require all granted
</Proxy>
BalancerMember balancer://other http://backend.test:8003 status=+D
ProxyPass /a/ balancer://app/
ProxyPass /o/ balancer://other/
<VirtualHost *:80>
ServerName v.test
ProxyPass /v/ balancer://app/
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(site.Main.Balancers) != 2 {
		t.Fatalf("%d balancers, want 2", len(site.Main.Balancers))
	}
	app := site.Main.Balancers[0]
	if app.Name != "balancer://app" || len(app.Members) != 2 || !app.MaxAttemptsSet || app.MaxAttempts != 1 {
		t.Errorf("balancer %+v", app)
	}
	m := app.Members[0]
	if m.Name != "http://backend.test:8001/x/" || m.LoadFactor != 3 || m.Route != "r1" || m.Retry != 5*time.Second || m.Worker.Timeout != 7*time.Second {
		t.Errorf("member %+v (worker %+v)", m, m.Worker)
	}
	if !app.Members[1].HotStandby || app.Members[1].LoadFactor != 1 || app.Members[1].Retry != time.Minute {
		t.Errorf("hot standby %+v", app.Members[1])
	}
	if o := site.Main.Balancers[1]; !o.Members[0].Disabled {
		t.Errorf("status=+D: %+v", o.Members[0])
	}
	if site.Main.Routes[0].Balancer != app || site.VHosts[0].Routes[0].Balancer != app {
		t.Error("ProxyPass balancer://app/ does not go to the balancer (in the main server and in a virtual host)")
	}
}

func TestBuildBalancerErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
		line            int
	}{
		{"no balancer module", "LoadModule mpm_event_module x\nLoadModule proxy_module x\nLoadModule proxy_http_module x\nListen 127.0.0.1:0\n<Proxy balancer://a>\nBalancerMember http://h:1\n</Proxy>\n",
			"<Proxy> needs proxy_balancer_module (LoadModule proxy_balancer_module)", 5},
		{"unknown balancer", balHead + "ProxyPass /a/ balancer://nope/\n", "ProxyPass: no BalancerMember defines the balancer balancer://nope", 8},
		{"lbmethod", balHead + "<Proxy balancer://a>\nBalancerMember http://h:1\nProxySet lbmethod=bytraffic\n</Proxy>\n", "ProxySet lbmethod=bytraffic is not supported by logproxy", 10},
		{"sticky", balHead + "<Proxy balancer://a>\nBalancerMember http://h:1\nProxySet stickysession=ROUTEID\n</Proxy>\n", "ProxySet stickysession is not supported by logproxy", 10},
		{"loadfactor", balHead + "BalancerMember balancer://a http://h:1 loadfactor=101\n", "LoadFactor must be a number between 1..100", 8},
		{"status", balHead + "BalancerMember balancer://a http://h:1 status=+S\n", "BalancerMember status=+S is not supported by logproxy", 8},
		{"member scheme", balHead + "BalancerMember balancer://a ftp://h:1\n", `BalancerMember scheme "ftp" is not supported by logproxy`, 8},
		{"member without balancer", balHead + "BalancerMember http://h:1\n", "BalancerMember must define balancer name when outside <Proxy > section", 8},
		{"member parameter", balHead + "BalancerMember balancer://a http://h:1 frob=1\n", `BalancerMember parameter "frob" is not supported by logproxy`, 8},
		{"other directive", balHead + "<Proxy balancer://a>\nBalancerMember http://h:1\nHeader set X y\n</Proxy>\n", "Header in <Proxy balancer://a> is not supported by logproxy", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			expectFirstError(t, parseAndBuild(t, tt.src), tt.want, tt.line)
		})
	}
}
