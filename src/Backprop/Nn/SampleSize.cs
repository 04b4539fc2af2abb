namespace Backprop.Nn;

/// <summary>
/// How large one sample's activations may grow at any layer. Stacks read from files (<c>train --arch</c>, model files)
/// are sized against it in long arithmetic before anything is allocated, so a huge padding or kernel is refused by
/// name instead of overflowing an array length in the middle of a forward pass.
/// </summary>
public static class SampleSize
{
    /// <summary>
    /// Values one sample may have at one layer: 64 MB of float32.
    /// NOTE: a whole batch of a layer's activations is one array, and evaluation runs 128 samples at a time
    /// through a convolutional network: 128 × 16,000,000 stays under an array's 2³¹ elements.
    /// </summary>
    public const long MaxValues = 16_000_000;

    /// <summary>The number of window positions along one side, in long: (size + 2·padding − kernel) / stride + 1.</summary>
    public static long WindowPositions(long size, long kernel, long stride, long padding) => (size + 2 * padding - kernel) / stride + 1;

    /// <summary>One image's shape [channels, height, width] after a convolution (pooling: the same channels, padding 0).</summary>
    public static long[] AfterWindows(ReadOnlySpan<long> image, long outChannels, long kernel, long stride, long padding) =>
        [outChannels, WindowPositions(image[1], kernel, stride, padding), WindowPositions(image[2], kernel, stride, padding)];

    /// <summary>Why a convolution of <paramref name="kernel"/> over <paramref name="image"/> that gives <paramref name="output"/>
    /// is refused — its output, or the image unfolded for it, too large — or null when it fits.</summary>
    public static string? ConvolutionProblem(ReadOnlySpan<long> image, long kernel, ReadOnlySpan<long> output) =>
        OutputProblem(output) ?? UnfoldProblem(image[0] * kernel * kernel, output[1] * output[2]);

    /// <summary>Whether one sample of <paramref name="shape"/> holds more than <see cref="MaxValues"/>.</summary>
    public static bool IsTooLarge(ReadOnlySpan<long> shape) => Exceeds(shape, MaxValues);

    /// <summary>Why a layer whose output for one sample has <paramref name="shape"/> is refused, or null when it fits.</summary>
    public static string? OutputProblem(ReadOnlySpan<long> shape) =>
        IsTooLarge(shape)
            ? $"gives each sample an output of [{string.Join(", ", shape.ToArray())}], more than the {MaxValues:N0} values per sample this version holds"
            : null;

    /// <summary>
    /// Why a convolution that unfolds each image into <paramref name="rows"/> (in_channels × kernel²) by
    /// <paramref name="positions"/> values is refused, or null: the unfolded image is one array (im2col).
    /// </summary>
    public static string? UnfoldProblem(long rows, long positions) =>
        Exceeds([rows, positions], Array.MaxLength)
            ? $"it unfolds each image into {rows:N0} × {positions:N0} values (in_channels × kernel² by output positions), more than one array holds"
            : null;

    // The product of the sizes is over the limit; no product is formed that could overflow a long.
    private static bool Exceeds(ReadOnlySpan<long> sizes, long limit)
    {
        long product = 1;
        foreach (long size in sizes)
        {
            if (size <= 0) return false; // an empty or impossible shape: the shape checks that follow name it
            if (product > limit / size) return true;
            product *= size;
        }
        return product > limit;
    }
}
