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
    private Random random = new(0);

    /// <summary>Dropout with probability <paramref name="p"/> in [0, 1); the survivors are scaled by 1 / (1 − p) so the expected sum is unchanged.</summary>
    public Dropout(double p)
    {
        if (!(p >= 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), $"dropout probability must be in [0, 1), got {p}");
        P = p;
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
        for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble() < P ? T.Zero : kept;
        return input * mask;
    }

    /// <inheritdoc/>
    public override string ToString() => $"Dropout(p={P})";
}
