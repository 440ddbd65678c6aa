#!/usr/bin/env python3
"""faultproxy: a fault-injecting TCP proxy for Fieldbook's sync tests and soak (RELIABILITY.md).

    tools/faultproxy/faultproxy.py --target 127.0.0.1:7420 [--port 0] [--seed N] [--stats PATH]
        [--drop P] [--stall P] [--slow P] [--reorder P] [--stall-seconds S] [--mode MODE]

Listens on 127.0.0.1 (port 0 picks a free one; the first line on stdout is "listening on 127.0.0.1:PORT") and
forwards each connection to --target. Each new connection draws one fault (or none) with the given probabilities,
or always the one named by --mode:

  pass     forward untouched
  drop     cut both directions after a random number of bytes (usually mid-frame)
  stall    forward a random prefix, then go silent in both directions for --stall-seconds, then cut
  slow     forward in 1-64 byte pieces with short pauses, both ways (a slow reader and a slow writer)
  reorder  accept the client but hold everything it sends; connect upstream only after the client has gone (and
           usually reconnected through a fresh connection), then replay the held bytes: a stale session that reaches
           the server after a newer one

It speaks no protocol: it only moves bytes, so it works the same for plain TCP and TLS. Counts of what it injected
are written as JSON to --stats (rewritten after each connection) and to stderr on SIGTERM/SIGINT.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import sys

FAULTS = ("drop", "stall", "slow", "reorder")


class Proxy:
    def __init__(self, args):
        self.args = args
        self.target_host, port = args.target.rsplit(":", 1)
        self.target_port = int(port)
        self.random = random.Random(args.seed)
        self.stats = {"connections": 0, "pass": 0, "drop": 0, "stall": 0, "slow": 0, "reorder": 0,
                      "upstream_failed": 0, "bytes_up": 0, "bytes_down": 0}

    def choose(self):
        if self.args.mode:
            return self.args.mode
        draw = self.random.random()
        for fault in FAULTS:
            chance = getattr(self.args, fault)
            if draw < chance:
                return fault
            draw -= chance
        return "pass"

    def write_stats(self):
        if not self.args.stats:
            return
        temporary = self.args.stats + ".tmp"
        with open(temporary, "w") as handle:
            json.dump(self.stats, handle)
        os.replace(temporary, self.args.stats)

    async def handle(self, client_reader, client_writer):
        mode = self.choose()
        self.stats["connections"] += 1
        self.stats[mode] += 1
        try:
            if mode == "reorder":
                await self.reorder(client_reader, client_writer)
            else:
                await self.forward(mode, client_reader, client_writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        finally:
            close(client_writer)
            self.write_stats()

    async def forward(self, mode, client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            self.stats["upstream_failed"] += 1
            return
        # drop: a budget of bytes over both directions, then cut; stall: a budget, then silence.
        budget = [self.random.randint(1, 2048)] if mode in ("drop", "stall") else None
        cut = asyncio.Event()
        frozen = asyncio.Event()
        rng = random.Random(self.random.random())

        async def pump(reader, writer, counter):
            while not cut.is_set():
                data = await reader.read(4096)
                if not data:
                    break
                if frozen.is_set():
                    await cut.wait()
                    break
                if budget is not None:
                    if len(data) >= budget[0]:
                        data = data[: budget[0]]
                        budget[0] = 0
                    else:
                        budget[0] -= len(data)
                if mode == "slow":
                    # Small pieces with pauses: every frame arrives split, many mid-header.
                    start = 0
                    while start < len(data):
                        size = rng.randint(1, 64)
                        writer.write(data[start : start + size])
                        start += size
                        await writer.drain()
                        await asyncio.sleep(rng.uniform(0.0, 0.002))
                    self.stats[counter] += len(data)
                else:
                    writer.write(data)
                    await writer.drain()
                    self.stats[counter] += len(data)
                if budget is not None and budget[0] == 0:
                    if mode == "stall":
                        frozen.set()
                        await asyncio.sleep(self.args.stall_seconds)
                    cut.set()
                    break
            cut.set()

        up = asyncio.ensure_future(pump(client_reader, server_writer, "bytes_up"))
        down = asyncio.ensure_future(pump(server_reader, client_writer, "bytes_down"))
        await cut.wait()
        for task in (up, down):
            task.cancel()
        await asyncio.gather(up, down, return_exceptions=True)
        close(server_writer)

    async def reorder(self, client_reader, client_writer):
        held = bytearray()
        # Keep the client waiting with nothing from the server until it gives up (its own timeout) or a limit passes.
        try:
            while len(held) < (1 << 22):
                data = await asyncio.wait_for(client_reader.read(4096), timeout=self.args.stall_seconds)
                if not data:
                    break
                held += data
        except asyncio.TimeoutError:
            pass
        close(client_writer)
        await asyncio.sleep(self.random.uniform(0.1, 1.0))
        try:
            server_reader, server_writer = await asyncio.open_connection(self.target_host, self.target_port)
        except OSError:
            self.stats["upstream_failed"] += 1
            return
        server_writer.write(bytes(held))
        self.stats["bytes_up"] += len(held)
        try:
            await server_writer.drain()
            # Read what the server answers to the stale bytes (usually a fatal error), then go.
            await asyncio.wait_for(server_reader.read(1 << 16), timeout=2)
        except (asyncio.TimeoutError, ConnectionError, OSError):
            pass
        close(server_writer)


def close(writer):
    try:
        writer.close()
    except Exception:
        pass


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="HOST:PORT to forward to")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--stats", help="file the fault counts are written to (JSON)")
    parser.add_argument("--mode", choices=("pass",) + FAULTS, help="inject this fault on every connection")
    for fault in FAULTS:
        parser.add_argument("--" + fault, type=float, default=0.0, help=f"probability of {fault} per connection")
    parser.add_argument("--stall-seconds", type=float, default=3.0)
    args = parser.parse_args()
    if sum(getattr(args, fault) for fault in FAULTS) > 1:
        parser.error("the fault probabilities add up to more than 1")
    proxy = Proxy(args)
    # A parent may have started us with signals blocked (a test runner's thread mask is inherited): unblock the two we
    # stop on, or SIGTERM would stay pending for ever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on 127.0.0.1:{port}", flush=True)
    proxy.stats["port"] = port  # so a caller can read the port from --stats instead of a pipe
    proxy.write_stats()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(number, stop.set)
    await stop.wait()
    server.close()
    proxy.write_stats()
    print(json.dumps(proxy.stats), file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main())
