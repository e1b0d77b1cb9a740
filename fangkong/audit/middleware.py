from fangkong.audit.context import Origin, bound


def audit_origin(get_response):
    """Record the client address and channel of every request for the audit trail."""

    def middleware(request):
        via = "api" if request.path.startswith("/api/") else "web"
        with bound(Origin(ip=request.META.get("REMOTE_ADDR"), via=via)):
            return get_response(request)

    return middleware
