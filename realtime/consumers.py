from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime import groups


class PingConsumer(AsyncJsonWebsocketConsumer):
    """
    Answer {"action": "ping"} with {"type": "pong"} by way of the channel layer.

    The reply travels through a group send, so a pong proves that the channel
    layer (Redis in production) works end to end. Used by smoke tests and
    monitoring.
    """

    async def connect(self):
        self.group = groups.ping(self.channel_name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict) or content.get("action") != "ping":
            await self.send_json({"type": "error", "code": "unknown_action"})
            return
        await self.channel_layer.group_send(self.group, {"type": "ping.reply", "id": content.get("id")})

    async def ping_reply(self, event):
        await self.send_json({"type": "pong", "id": event.get("id")})
