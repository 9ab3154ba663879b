"""Name a device from its user-agent string ("Firefox on Windows"), for the sessions page.

People recognise "Safari on iPhone"; nobody recognises "Mozilla/5.0 (iPhone; CPU iPhone OS
17_4 like Mac OS X) AppleWebKit/605.1.15 …". A deliberately small parser: the browsers and
systems that make up nearly all real traffic, in the order that matters (every Chromium-based
browser also says "Chrome", every browser says "Safari" or "Mozilla"), and an honest
"Unknown browser" for the rest. No dependency, no network, no guessing of versions.
"""

from __future__ import annotations

# (marker, name): the first marker found names the browser. Order matters: Edge, Opera,
# Samsung Internet and Firefox on iOS all carry "Chrome" or "Safari" too.
_BROWSERS: tuple[tuple[str, str], ...] = (
    ("edg/", "Edge"),
    ("edga/", "Edge"),
    ("edgios/", "Edge"),
    ("edge/", "Edge"),  # the old EdgeHTML Edge
    ("opr/", "Opera"),
    ("opt/", "Opera"),  # Opera Touch on iOS
    ("opera", "Opera"),
    ("samsungbrowser/", "Samsung Internet"),
    ("duckduckgo/", "DuckDuckGo"),
    ("ddg/", "DuckDuckGo"),
    ("fxios/", "Firefox"),
    ("firefox/", "Firefox"),
    ("crios/", "Chrome"),
    ("chromium/", "Chromium"),
    ("chrome/", "Chrome"),
    ("msie ", "Internet Explorer"),
    ("trident/", "Internet Explorer"),
    ("safari/", "Safari"),
)

# Order matters: Android says "Linux", iOS says "like Mac OS X", Chrome OS says "Linux" in some
# builds, Windows Phone said "Android".
_SYSTEMS: tuple[tuple[str, str], ...] = (
    ("windows phone", "Windows Phone"),
    ("iphone", "iPhone"),
    ("ipad", "iPad"),
    ("ipod", "iPod"),
    ("android", "Android"),
    ("windows", "Windows"),
    ("cros ", "ChromeOS"),  # with the space: "Microsoft" contains "cros"
    ("macintosh", "Mac"),
    ("mac os x", "Mac"),
    ("linux", "Linux"),
)

UNKNOWN = "Unknown browser"


def device_name(user_agent: str | None) -> str:
    """'Firefox on Windows', 'Safari on iPhone', 'Chrome' (system unknown) or 'Unknown browser'.

    On iPhone and iPad every browser is built on Safari's engine, but people know it by the app
    they opened, so "Chrome on iPhone" (CriOS) is named as Chrome.
    """
    ua = (user_agent or "").strip().lower()
    if not ua:
        return UNKNOWN
    system = next((name for marker, name in _SYSTEMS if marker in ua), None)
    browser = next((name for marker, name in _BROWSERS if marker in ua), None)
    if browser == "Safari" and "version/" not in ua and system not in {"iPhone", "iPad", "iPod"}:
        # Anything else that says only "Safari/" (a WebView, a bot) is not Safari.
        browser = None
    if browser is None:
        return f"{UNKNOWN} on {system}" if system else UNKNOWN
    return f"{browser} on {system}" if system else browser
