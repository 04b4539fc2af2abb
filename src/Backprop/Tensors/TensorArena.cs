using System.Numerics;

namespace Backprop;

/// <summary>
/// Lends the storage of the tensors one training step creates and takes it all back at the end of the step, so
/// that the next step's tensors of the same sizes reuse it.
/// </summary>
/// <remarks>
/// NOTE: a convolutional network's step makes dozens of megabyte tensors. Fresh large arrays cost the GC a
/// large-object allocation and the OS a page fault per 4 KiB (in a VM, a 3 MB array took 2–7 ms to allocate
/// against 0.04 ms to fill), which made those steps several times slower than their arithmetic. Only code that
/// knows every tensor of the step is dead when it ends may use an arena (<see cref="Training.GraphNetworkEngine{T}"/>):
/// while a scope is active, <see cref="Tensor.Zeros{T}"/> and the ops draw large storage from it.
/// </remarks>
internal sealed class TensorArena
{
    // Below this many elements the GC's own allocation is cheap and pooling would only add bookkeeping.
    private const int MinimumPooled = 4096;

    [ThreadStatic] private static TensorArena? current;

    private readonly Pool<float> floats = new();
    private readonly Pool<double> doubles = new();
    private readonly Pool<int> indices = new();

    /// <summary>Makes this arena the source of large tensor storage on this thread until the scope is disposed.</summary>
    public Scope Activate()
    {
        var previous = current;
        current = this;
        return new Scope(previous);
    }

    /// <summary>Takes back everything lent since the last call. Every tensor made with that storage must be dead.</summary>
    public void Recycle()
    {
        floats.Recycle();
        doubles.Recycle();
        indices.Recycle();
    }

    /// <summary>Storage for <paramref name="length"/> elements: from the active arena when there is one and the
    /// array is large, else a new array. Cleared when <paramref name="clear"/>; otherwise its contents are arbitrary.</summary>
    public static T[] Rent<T>(int length, bool clear) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (current is { } arena && length >= MinimumPooled)
        {
            T[]? array = typeof(T) == typeof(float) ? arena.floats.Rent(length) as T[]
                : typeof(T) == typeof(double) ? arena.doubles.Rent(length) as T[] : null;
            if (array is not null)
            {
                if (clear) array.AsSpan().Clear();
                return array;
            }
        }
        return clear ? new T[length] : GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Index storage (max-pooling's argmax) that lives as long as the step's graph: from the active arena when
    /// there is one and the array is large, else a new array that the GC takes back with the graph.</summary>
    public static int[] RentIndices(int length) =>
        current is { } arena && length >= MinimumPooled ? arena.indices.Rent(length) : GC.AllocateUninitializedArray<int>(length);

    public readonly struct Scope(TensorArena? previous) : IDisposable
    {
        public void Dispose() => current = previous;
    }

    // Arrays by exact length: a training step asks for the same sizes every time.
    private sealed class Pool<T>
    {
        private readonly Dictionary<int, Stack<T[]>> free = [];
        private readonly List<T[]> lent = [];

        public T[] Rent(int length)
        {
            var array = free.TryGetValue(length, out var stack) && stack.Count > 0 ? stack.Pop() : GC.AllocateUninitializedArray<T>(length);
            lent.Add(array);
            return array;
        }

        public void Recycle()
        {
            foreach (var array in lent)
            {
                if (!free.TryGetValue(array.Length, out var stack)) free[array.Length] = stack = new Stack<T[]>();
                stack.Push(array);
            }
            lent.Clear();
        }
    }
}
