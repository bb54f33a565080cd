"""What an attacker with broker access only can do: publish raw messages with kombu, read raw queued bodies."""
from __future__ import annotations

import base64
import json
import uuid

from omegaml_core.runtime.celeryapp import RUN_TASK


def publish_forged(broker_url: str, queue: str, message: list, content_type: str = "application/json",
                   body: bytes | None = None) -> str:
    """Publish a Celery (protocol 2) ``omegaml.run`` message carrying ``message`` as its args; returns its id."""
    from kombu import Connection

    task_id = str(uuid.uuid4())
    headers = {"lang": "py", "task": RUN_TASK, "id": task_id, "root_id": task_id, "parent_id": None,
               "group": None, "retries": 0, "eta": None, "expires": None, "timelimit": [None, None],
               "argsrepr": "forged", "kwargsrepr": "{}", "origin": "attacker@nowhere", "ignore_result": False}
    payload = body if body is not None else json.dumps(
        [message, {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]).encode()
    with Connection(broker_url, connect_timeout=5) as conn:
        producer = conn.Producer()
        producer.publish(payload, exchange="", routing_key=queue, headers=headers, content_type=content_type,
                         content_encoding="utf-8", correlation_id=task_id, reply_to=None)
    return task_id


def queued_bodies(broker_url: str, queue: str) -> list[bytes]:
    """The bodies waiting in ``queue``, as the broker holds them and decoded (base64 on Redis), consuming them."""
    if broker_url.startswith("redis"):
        import redis

        client = redis.Redis.from_url(broker_url)
        raw = client.lrange(queue, 0, -1)
        client.delete(queue)
        return [*raw, *(base64.b64decode(json.loads(r)["body"]) for r in raw)]
    from kombu import Connection

    bodies = []
    with Connection(broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        while (message := channel.basic_get(queue, no_ack=True)) is not None:
            body = message.body
            bodies.append(body if isinstance(body, bytes) else body.encode())
        channel.queue_delete(queue)
    return bodies
