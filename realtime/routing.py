from django.urls import re_path

from realtime.live import consumer

websocket_urlpatterns = [
    re_path(r"^ws/ping/$", consumer.PingConsumer.as_asgi()),
    re_path(r"^ws/rooms/(?P<code>[A-Za-z0-9]{1,12})/$", consumer.RoomConsumer.as_asgi()),
]
