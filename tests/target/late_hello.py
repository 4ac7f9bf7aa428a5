"""A server that, like a herdsim server asking for its catch-up, talks to its neighbours only a
while after it listens: 100 ms after its port accepts, one flood line to each neighbour, then it
reads and ignores whatever comes. Usage: late_hello.py NAME CONFIG."""
import asyncio
import json
import sys


async def ignore(reader, writer):
    while await reader.read(65536):
        pass
    writer.close()


async def main(name, config_path):
    with open(config_path) as f:
        config = json.load(f)
    servers = config["servers"]
    neighbours = [b if a == name else a for a, b in config["links"] if name in (a, b)]
    server = await asyncio.start_server(ignore, servers[name]["host"], servers[name]["port"])
    await asyncio.sleep(0.1)
    for peer in neighbours:
        _, writer = await asyncio.open_connection(servers[peer]["host"], servers[peer]["port"])
        writer.write(f"AT {name} +0.000000001 hello-{name} +0+0 1600000000.0 {name}\n".encode())
        await writer.drain()
        writer.close()
    async with server:
        await server.serve_forever()


asyncio.run(main(sys.argv[1], sys.argv[2]))
