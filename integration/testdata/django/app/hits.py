"""The app's side of logproxy's job: each page that shows an object says
which one, as a content type id and an object id in two response
headers; the proxy logs them and keeps them from the client."""


def hit(request, cid, oid):
    request.jl6_hit = (cid, oid)


class HitHeaders:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        h = getattr(request, "jl6_hit", None)
        if h is not None:
            response["X-JL6-CID"] = str(h[0])
            response["X-JL6-OID"] = str(h[1])
        return response
