"""Channel-layer group names, built in one place."""


def ping(channel_name: str) -> str:
    return f"ping.{channel_name.rsplit('!', 1)[-1][:60]}"
