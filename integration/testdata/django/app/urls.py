"""The site's pages. Content type 17 is an article, 18 a comment, 19 the
feed, 20 an upload."""
from django.http import (Http404, HttpResponse, HttpResponseRedirect,
                         StreamingHttpResponse)
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from hits import hit

ARTICLES = {1: "Logs as counters", 2: "Headers that never leave", 3: "Rotation"}


def home(request):
    items = "".join('<li><a href="/articles/%d/">%s</a></li>' % (i, t) for i, t in ARTICLES.items())
    return HttpResponse("<html><body><ul>%s</ul></body></html>" % items)


def article(request, oid):
    if oid not in ARTICLES:
        raise Http404("no such article")
    hit(request, 17, oid)
    return HttpResponse("<html><body><h1>%s</h1></body></html>" % ARTICLES[oid])


@never_cache
def comment(request, oid):
    if oid not in ARTICLES:
        raise Http404("no such article")
    if request.method == "POST":
        hit(request, 18, oid)
        return HttpResponseRedirect("/articles/%d/" % oid)
    token = get_token(request)
    return HttpResponse(
        '<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="%s">'
        '<textarea name="text"></textarea></form>' % token)


def feed(request):
    hit(request, 19, 0)
    return StreamingHttpResponse(("item %d\n" % i for i in range(50)), content_type="text/plain")


def go(request, oid):
    # An absolute URL built from what the app was told: ProxyPassReverse
    # maps it back when the proxy does not preserve the Host.
    return HttpResponseRedirect(request.build_absolute_uri("/articles/%d/" % oid))


@never_cache
def whoami(request):
    m = request.META
    seen = [("Host", request.get_host()), ("Remote", m.get("REMOTE_ADDR", "")),
            ("For", m.get("HTTP_X_FORWARDED_FOR", "")), ("Fwd-Host", m.get("HTTP_X_FORWARDED_HOST", "")),
            ("Fwd-Server", m.get("HTTP_X_FORWARDED_SERVER", "")), ("Proto", m.get("HTTP_X_FORWARDED_PROTO", "")),
            ("Secure", str(request.is_secure())), ("Uri", request.build_absolute_uri())]
    r = HttpResponse("".join("%s: %s\n" % kv for kv in seen), content_type="text/plain")
    for k, v in seen:
        r["X-Seen-" + k] = v
    return r


def boom(request):
    hit(request, 17, 99)
    raise RuntimeError("a bug in a view")


@csrf_exempt
def upload(request):
    n = len(request.body)
    hit(request, 20, n)
    return HttpResponse("got %d bytes\n" % n, content_type="text/plain")


urlpatterns = [
    path("", home),
    path("articles/<int:oid>/", article),
    path("articles/<int:oid>/comment/", comment),
    path("feed/", feed),
    path("go/<int:oid>/", go),
    path("whoami/", whoami),
    path("boom/", boom),
    path("upload/", upload),
]
