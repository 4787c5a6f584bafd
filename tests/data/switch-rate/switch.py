import asyncio, time
async def t():
    for _ in range(100):
        await asyncio.sleep(0)
async def main():
    await asyncio.gather(*(t() for _ in range(1000)))
start = time.perf_counter(); asyncio.run(main()); print(f"{(time.perf_counter()-start)*1000:.1f} ms")
