"""How many check-in attempts one client address may send per clock hour.

`FANGKONG_CHECKINS_PER_HOUR` (default 30; 0: no limit). Every attempt counts, refused ones
too: the form answers whether an ID number and a phone belong together, and must not be a
way to try many pairs. A venue's shared Wi-Fi is one address, hence a higher default than
the arrival form's.
"""

from fangkong.arrivals.ratelimit import Window

CHECKINS = Window("checkins", "FANGKONG_CHECKINS_PER_HOUR", 30)
per_hour = CHECKINS.per_hour
exhausted = CHECKINS.exhausted
spend = CHECKINS.spend
