using System.Numerics;

namespace Backprop.Nn;

/// <summary>
/// In training, zeroes each element with probability <see cref="P"/> and scales the rest by 1/(1 − p), so
/// that the expected output equals the input; in inference, passes the input through unchanged.
/// </summary>
/// <remarks>NOTE: the masks come from this module's own generator, which the trainer reseeds at the start of
/// each epoch from the run's seed and the epoch number: the same run twice, or a run resumed from a checkpoint,
/// drops the same elements.</remarks>
public sealed class Dropout<T> : Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // NOTE: every layer once started from seed 0, so two dropout layers of one width (a hand-written loop, which
    // never reseeds) dropped the same units on every step: one mask, not two. Each layer made without a generator
    // now takes the next seed of this count, so a program that builds its layers in one order repeats its masks.
    private static int layersMade;

    private Random random;

    /// <summary>Dropout with probability <paramref name="p"/> in [0, 1); the survivors are scaled by 1 / (1 − p) so the expected sum is unchanged.
    /// Each layer draws its own masks (another layer of the same width drops other elements).</summary>
    public Dropout(double p) : this(p, Interlocked.Increment(ref layersMade)) { }

    /// <summary>Dropout whose masks are seeded from <paramref name="random"/>, as <see cref="Linear{T}"/> draws its
    /// weights: a network built from one seeded generator drops the same elements in every run.</summary>
    public Dropout(double p, Random random) : this(p, (random ?? throw new ArgumentNullException(nameof(random))).Next()) { }

    private Dropout(double p, int seed)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1), got {p}");
        P = p;
        random = new Random(seed);
    }

    /// <summary>The probability that a value is zeroed in training.</summary>
    public double P { get; }

    /// <summary>Restarts the random masks from <paramref name="seed"/>, for reproducible training.</summary>
    public void Reseed(int seed) => random = new Random(seed);

    /// <inheritdoc/>
    public override Tensor<T> Forward(Tensor<T> input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Training || P == 0) return input;
        var mask = Tensor.Uninitialized<T>(input.Shape.ToArray());
        var values = mask.Data;
        T kept = T.CreateChecked(1.0 / (1.0 - P));
        // NOTE: System.Random is not thread-safe: two threads' training forwards through one layer (a loaded model, which
        // comes back in training mode, serving requests) could wreck its state, and from then on it drew only 0 and the
        // layer dropped every element for good. One lock per mask, not per element.
        var generator = random;
        lock (generator)
            for (int i = 0; i < values.Length; i++) values[i] = generator.NextDouble() < P ? T.Zero : kept;
        return input * mask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P})";
}
