from django.urls import re_path

from realtime import consumers

websocket_urlpatterns = [
    re_path(r"^ws/ping/$", consumers.PingConsumer.as_asgi()),
    re_path(r"^ws/rooms/(?P<code>[A-Za-z0-9]{1,12})/$", consumers.RoomConsumer.as_asgi()),
]
