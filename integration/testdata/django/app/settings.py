# Django settings of the site TestDjango runs behind the proxy: no
# database, no templates, the middleware a Django site usually has, and
# hits.HitHeaders, which names the object a page shows in X-JL6-CID and
# X-JL6-OID for the proxy's access log.
SECRET_KEY = "logproxy-integration-test-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["www.example.com", "127.0.0.1"]
ROOT_URLCONF = "urls"
INSTALLED_APPS = []
DATABASES = {}
USE_TZ = True
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "hits.HitHeaders",
]
LOGGING = {"version": 1, "disable_existing_loggers": True}
