#!/usr/bin/env python3
"""Writes the kiosk app's RGBA PNG icons (a clock face) without third-party modules."""
import math, os, struct, zlib

def png(size, path):
    rows = []
    c = (size - 1) / 2
    r = size * 0.46
    for y in range(size):
        row = bytearray([0])
        for x in range(size):
            d = math.hypot(x - c, y - c)
            if d > r:
                px = (0, 0, 0, 0)
            elif d > r * 0.86:
                px = (16, 82, 140, 255)
            else:
                px = (245, 247, 250, 255)
                # hands: 12 o'clock and 3 o'clock
                if abs(x - c) < size * 0.04 and c - r * 0.65 < y <= c:
                    px = (20, 20, 20, 255)
                if abs(y - c) < size * 0.04 and c <= x < c + r * 0.5:
                    px = (20, 20, 20, 255)
            row += bytes(px)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)

here = os.path.dirname(os.path.abspath(__file__))
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    png(size, os.path.join(here, name))
