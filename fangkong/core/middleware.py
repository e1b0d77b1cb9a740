from django.conf import settings
from django.utils import translation


def language(get_response):
    """Chinese unless the user chose otherwise with the switcher (a cookie).

    Pages ignore the browser's Accept-Language: staff share phones and borrowed computers, and
    the UI should not change language behind their backs. API clients may ask with the header.
    """
    known = dict(settings.LANGUAGES)

    def middleware(request):
        if request.path.startswith("/api/"):
            code = translation.get_language_from_request(request)
        else:
            code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if code not in known:
                code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = code
        response = get_response(request)
        response.headers.setdefault("Content-Language", code)
        return response

    return middleware
