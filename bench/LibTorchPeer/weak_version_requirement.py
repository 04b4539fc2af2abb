#!/usr/bin/env python3
"""Marks one symbol-version requirement of an ELF shared library weak (VER_FLG_WEAK), in place.

usage: weak_version_requirement.py LIBRARY VERSION      e.g. libLibTorchSharp.so GLIBCXX_3.4.32

The dynamic loader refuses a library whose required version its dependency lacks, unless the requirement is
weak; then it loads it, and only a symbol actually bound to that version would fail. Use it only where no
relocation needs such a symbol (check with `readelf -r`). Running it twice changes nothing more.
"""
import os
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def main(path: str, version: str) -> None:
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit(f"error: {path}: not a 64-bit little-endian ELF file")
    section_offset, = struct.unpack_from("<Q", data, 0x28)
    entry_size, count = struct.unpack_from("<HH", data, 0x3A)
    # Elf64_Shdr: name, type, flags, addr, offset, size, link, info, addralign, entsize
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, section_offset + i * entry_size) for i in range(count)]
    needs = next((s for s in sections if s[1] == SHT_GNU_VERNEED), None)
    if needs is None:
        sys.exit(f"error: {path}: no version requirements")
    strings = sections[needs[6]][4]

    def name(offset: int) -> str:
        start = strings + offset
        return data[start:data.index(0, start)].decode()

    marked, at = 0, needs[4]
    for _ in range(needs[7]):  # sh_info: how many libraries have requirements
        _, aux_count, _, aux_offset, next_offset = struct.unpack_from("<HHIII", data, at)
        aux = at + aux_offset
        for _ in range(aux_count):
            _, flags, _, name_offset, aux_next = struct.unpack_from("<IHHII", data, aux)
            if name(name_offset) == version:
                struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                marked += 1
            aux += aux_next
        if next_offset == 0:
            break
        at += next_offset
    if marked == 0:
        sys.exit(f"error: {path}: no requirement of {version}")
    with open(path + ".tmp", "wb") as out:
        out.write(data)
    os.replace(path + ".tmp", path)
    print(f"{path}: {version} marked weak")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
