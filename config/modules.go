package config

// Module is an httpd module as logproxy knows it.
type Module struct {
	// Name is the module's structure name, as LoadModule and <IfModule>
	// spell it: "headers_module".
	Name string
	// Source is the module's source file name, the other spelling
	// <IfModule> accepts: "mod_headers.c".
	Source string
	// Builtin marks the modules compiled into Debian's apache2 binary
	// (`apache2 -l`): always present, and an error to LoadModule. The
	// others must be loaded with LoadModule, as in httpd.
	Builtin bool
	// MPM marks the multi-processing modules. Exactly one may be loaded;
	// their directives (Listen, StartServers, ...) need one of them.
	MPM bool
}

// mpmModule is the pseudo module name of the directives every MPM
// provides; it is present when any MPM module is loaded.
const mpmModule = "mpm"

// Modules returns the modules logproxy implements, the built-in ones
// first. LoadModule of any other module is an error. The slice is a fresh
// copy on each call.
func Modules() []Module {
	return []Module{
		{Name: "core_module", Source: "core.c", Builtin: true},
		// logproxy's own directives (StripHeader); not an httpd module.
		{Name: "logproxy_module", Source: "logproxy", Builtin: true},
		{Name: "so_module", Source: "mod_so.c", Builtin: true},
		{Name: "watchdog_module", Source: "mod_watchdog.c", Builtin: true},
		{Name: "http_module", Source: "http_core.c", Builtin: true},
		{Name: "log_config_module", Source: "mod_log_config.c", Builtin: true},
		{Name: "logio_module", Source: "mod_logio.c", Builtin: true},
		{Name: "version_module", Source: "mod_version.c", Builtin: true},
		{Name: "unixd_module", Source: "mod_unixd.c", Builtin: true},

		{Name: "mpm_event_module", Source: "event.c", MPM: true},
		{Name: "mpm_worker_module", Source: "worker.c", MPM: true},
		{Name: "mpm_prefork_module", Source: "prefork.c", MPM: true},

		{Name: "alias_module", Source: "mod_alias.c"},
		{Name: "auth_basic_module", Source: "mod_auth_basic.c"},
		{Name: "authn_core_module", Source: "mod_authn_core.c"},
		{Name: "authn_file_module", Source: "mod_authn_file.c"},
		{Name: "authz_core_module", Source: "mod_authz_core.c"},
		{Name: "authz_host_module", Source: "mod_authz_host.c"},
		{Name: "authz_user_module", Source: "mod_authz_user.c"},
		{Name: "dir_module", Source: "mod_dir.c"},
		{Name: "env_module", Source: "mod_env.c"},
		{Name: "expires_module", Source: "mod_expires.c"},
		{Name: "headers_module", Source: "mod_headers.c"},
		{Name: "md_module", Source: "mod_md.c"},
		{Name: "mime_module", Source: "mod_mime.c"},
		{Name: "lbmethod_byrequests_module", Source: "mod_lbmethod_byrequests.c"},
		{Name: "proxy_module", Source: "mod_proxy.c"},
		{Name: "proxy_balancer_module", Source: "mod_proxy_balancer.c"},
		{Name: "proxy_http_module", Source: "mod_proxy_http.c"},
		{Name: "remoteip_module", Source: "mod_remoteip.c"},
		{Name: "reqtimeout_module", Source: "mod_reqtimeout.c"},
		{Name: "rewrite_module", Source: "mod_rewrite.c"},
		{Name: "setenvif_module", Source: "mod_setenvif.c"},
		{Name: "slotmem_shm_module", Source: "mod_slotmem_shm.c"},     // mod_proxy_balancer's shared memory: logproxy's balancers live in its one process
		{Name: "socache_shmcb_module", Source: "mod_socache_shmcb.c"}, // mod_ssl's session cache: Go keeps its own
		{Name: "ssl_module", Source: "mod_ssl.c"},
	}
}

// LookupModule returns the module named name ("headers_module"), or false
// if logproxy does not implement it.
func LookupModule(name string) (Module, bool) {
	for _, m := range Modules() {
		if m.Name == name {
			return m, true
		}
	}
	return Module{}, false
}
