using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Backprop.Kernels;

/// <summary>
/// Per-thread packing buffers, 64-byte aligned, kept for the life of the thread and grown only when a
/// larger product comes along, so that steady-state calls allocate nothing. (<see cref="GemmRowTeam"/> lends the
/// calling thread's B buffer to the whole team for the length of one call.)
/// </summary>
internal static unsafe class GemmBuffers
{
    [ThreadStatic] private static byte[]? packedA;
    [ThreadStatic] private static byte[]? packedB;

    public static T* PackedA<T>(nint elements) where T : unmanaged => (T*)Aligned(ref packedA, elements * sizeof(T));

    public static T* PackedB<T>(nint elements) where T : unmanaged => (T*)Aligned(ref packedB, elements * sizeof(T));

    private static byte* Aligned(ref byte[]? store, nint bytes)
    {
        if (store is null || store.Length < bytes + 64)
        {
            // NOTE: pinned arrays live on the pinned object heap, so their address never moves.
            store = GC.AllocateUninitializedArray<byte>((int)(bytes + 64), pinned: true);
        }
        byte* start = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(store));
        return (byte*)(((nuint)start + 63) & ~(nuint)63);
    }
}
