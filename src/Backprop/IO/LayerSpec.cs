namespace Backprop.IO;

/// <summary>
/// One layer of a saved architecture, in the vocabulary of <c>train --arch</c> (JSON in snake_case,
/// unset fields omitted): <c>{"type": "dense", "in_features": 64, "units": 10, "activation": "relu"}</c>.
/// Only the fields its <see cref="Type"/> needs are set. A reader refuses a key it does not know: ignoring it would
/// run the layer without it (a misspelt "strdie" at stride 1, or an option of a later version left out).
/// </summary>
public sealed record LayerSpec
{
    /// <summary>"dense", "conv2d", "maxpool2d", "avgpool2d", "batchnorm", "dropout", "flatten", or an activation's name.</summary>
    public required string Type { get; init; }

    /// <summary>Dense: the input width.</summary>
    public int? InFeatures { get; init; }

    /// <summary>Dense: the output width.</summary>
    public int? Units { get; init; }

    /// <summary>Dense: an activation applied to the output (as in <c>explain</c> model files), if any. A trained
    /// model's file holds activations as layers of their own, and its reader refuses one here (but "identity").</summary>
    public string? Activation { get; init; }

    /// <summary>Conv2d: input channels; batchnorm: the channels or features it normalises.</summary>
    public int? InChannels { get; init; }

    /// <summary>Conv2d: output channels.</summary>
    public int? OutChannels { get; init; }

    /// <summary>Conv2d and pooling: the (square) kernel size.</summary>
    public int? Kernel { get; init; }

    /// <summary>Conv2d and pooling: the stride (pooling defaults to the kernel).</summary>
    public int? Stride { get; init; }

    /// <summary>Conv2d: zero padding on each side.</summary>
    public int? Padding { get; init; }

    /// <summary>Dropout: the probability of zeroing an element.</summary>
    public double? P { get; init; }

    /// <summary>A fully connected layer, optionally followed by an activation (the shorthand "dense" entry).</summary>
    public static LayerSpec Dense(int inFeatures, int units, string? activation = null) =>
        new() { Type = "dense", InFeatures = inFeatures, Units = units, Activation = activation };

    /// <summary>A stand-alone activation layer, e.g. <c>{"type": "relu"}</c>.</summary>
    public static LayerSpec ActivationLayer(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new() { Type = name };
    }

    /// <summary>A 2-D convolution with a square kernel.</summary>
    public static LayerSpec Conv2d(int inChannels, int outChannels, int kernel, int stride = 1, int padding = 0) =>
        new() { Type = "conv2d", InChannels = inChannels, OutChannels = outChannels, Kernel = kernel, Stride = stride, Padding = padding };

    /// <summary>Max pooling; the stride defaults to the kernel (non-overlapping windows).</summary>
    public static LayerSpec MaxPool2d(int kernel, int? stride = null) => new() { Type = "maxpool2d", Kernel = kernel, Stride = stride ?? kernel };

    /// <summary>Average pooling; the stride defaults to the kernel (non-overlapping windows).</summary>
    public static LayerSpec AvgPool2d(int kernel, int? stride = null) => new() { Type = "avgpool2d", Kernel = kernel, Stride = stride ?? kernel };

    /// <summary>Batch normalization over <paramref name="channels"/> channels (or features).</summary>
    public static LayerSpec BatchNorm(int channels) => new() { Type = "batchnorm", InChannels = channels };

    /// <summary>Dropout that zeroes each value with probability <paramref name="p"/> in training.</summary>
    public static LayerSpec Dropout(double p) => new() { Type = "dropout", P = p };

    /// <summary>Flattens each sample to a vector, between convolutional and dense layers.</summary>
    public static LayerSpec Flatten() => new() { Type = "flatten" };
}
