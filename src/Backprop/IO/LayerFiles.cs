using Backprop.Nn;

namespace Backprop.IO;

/// <summary>
/// Each layer kind's entry in a model file: its <see cref="LayerSpec"/> in the architecture list, and its tensors
/// under "layers.&lt;i&gt;." (weight and bias; batch norm's running_mean and running_var too).
/// </summary>
internal static class LayerFiles
{
    public static LayerSpec Write(Module<float> layer, int index, Dictionary<string, SafeTensor> tensors)
    {
        foreach (var (name, tensor) in layer.NamedParameters().Concat(layer.NamedBuffers()))
            tensors[$"layers.{index}.{name}"] = SafeTensor.FromTensor(tensor);
        return layer switch
        {
            Linear<float> linear => LayerSpec.Dense(linear.InFeatures, linear.OutFeatures),
            ActivationLayer<float> activation => LayerSpec.ActivationLayer(activation.Activation.Name()),
            Conv2d<float> conv => LayerSpec.Conv2d(conv.InChannels, conv.OutChannels, conv.Kernel, conv.Stride, conv.Padding),
            MaxPool2d<float> pool => LayerSpec.MaxPool2d(pool.Kernel, pool.Stride),
            AvgPool2d<float> pool => LayerSpec.AvgPool2d(pool.Kernel, pool.Stride),
            BatchNorm<float> norm => LayerSpec.BatchNorm(norm.Channels),
            Dropout<float> dropout => LayerSpec.Dropout(dropout.P),
            Flatten<float> => LayerSpec.Flatten(),
            _ => throw new NotSupportedException($"cannot save layer {index} ({layer})"),
        };
    }

    /// <exception cref="ModelFormatException">a tensor is missing, malformed, or does not fit the layer.</exception>
    public static Module<float> Read(LayerSpec spec, int index, SavedModel saved, string path)
    {
        ModelFormatException Error(string field, string problem) => new(path, field, problem);
        Tensor<float> Tensor(string name) => Parameter(saved, $"layers.{index}.{name}", path);
        int Positive(int? value, string field) => value is > 0 ? value.Value
            : throw Error($"__metadata__.architecture[{index}].{field}", $"must be a positive integer, got {value?.ToString() ?? "nothing"}");
        // NOTE: the tensors decide a layer's sizes; a size the architecture states and they contradict (a damaged or
        // hand-edited "in_features": 5 over a [128, 2] weight) was passed over, and the file loaded as if it were whole.
        void Agrees(int? stated, int actual, string field, Tensor<float> weight)
        {
            if (stated is { } size && size != actual)
                throw Error($"__metadata__.architecture[{index}].{field}",
                    $"is {size}, but layers.{index}.weight {ShapeMath.Format(weight.Shape)} gives {actual}; the file is damaged or was edited by hand");
        }

        switch (spec.Type)
        {
            case "dense":
            {
                // NOTE: LayerSpec can carry an activation on a dense layer (explain's form), but a trained model's stack
                // holds it as a layer of its own; passing over it would drop it from every prediction without a word.
                if (spec.Activation is { } denseActivation && denseActivation != "identity")
                    throw Error($"__metadata__.architecture[{index}].activation",
                        $"\"{denseActivation}\" on a dense layer is not read by this version; write it as the next layer ({{\"type\": \"{denseActivation}\"}})");
                var weight = Tensor("weight");
                var bias = Tensor("bias");
                if (weight.Rank != 2 || bias.Rank != 1 || bias.Dim(0) != weight.Dim(0))
                    throw Error($"layers.{index}", $"weight {ShapeMath.Format(weight.Shape)} and bias {ShapeMath.Format(bias.Shape)} do not form a dense layer");
                Agrees(spec.InFeatures, weight.Dim(1), "in_features", weight);
                Agrees(spec.Units, weight.Dim(0), "units", weight);
                return new Linear<float>(weight, bias);
            }
            case "conv2d":
            {
                var weight = Tensor("weight");
                var bias = Tensor("bias");
                if (weight.Rank != 4 || weight.Dim(2) != weight.Dim(3) || bias.Rank != 1 || bias.Dim(0) != weight.Dim(0))
                    throw Error($"layers.{index}", $"weight {ShapeMath.Format(weight.Shape)} and bias {ShapeMath.Format(bias.Shape)} do not form a conv2d layer");
                Agrees(spec.InChannels, weight.Dim(1), "in_channels", weight);
                Agrees(spec.OutChannels, weight.Dim(0), "out_channels", weight);
                Agrees(spec.Kernel, weight.Dim(2), "kernel", weight);
                int padding = spec.Padding ?? 0;
                if (padding < 0) throw Error($"__metadata__.architecture[{index}].padding", $"must not be negative, got {padding}");
                return new Conv2d<float>(weight, bias, Positive(spec.Stride ?? 1, "stride"), padding);
            }
            case "maxpool2d":
                return new MaxPool2d<float>(Positive(spec.Kernel, "kernel"), Positive(spec.Stride ?? spec.Kernel, "stride"));
            case "avgpool2d":
                return new AvgPool2d<float>(Positive(spec.Kernel, "kernel"), Positive(spec.Stride ?? spec.Kernel, "stride"));
            case "batchnorm":
            {
                var (weight, bias, mean, variance) = (Tensor("weight"), Tensor("bias"), Tensor("running_mean"), Tensor("running_var"));
                if (new[] { weight, bias, mean, variance }.Any(t => t.Rank != 1 || t.Length != weight.Length))
                    throw Error($"layers.{index}", "batch norm weight, bias, running_mean and running_var must be vectors of one length");
                Agrees(spec.InChannels, weight.Length, "in_channels", weight);
                if (variance.Data.ToArray().Any(v => v < 0)) throw Error($"layers.{index}.running_var", "holds a negative variance");
                return new BatchNorm<float>(weight, bias, mean, variance);
            }
            case "dropout":
                if (spec.P is not (>= 0 and < 1)) throw Error($"__metadata__.architecture[{index}].p", $"must be in [0, 1), got {spec.P?.ToString() ?? "nothing"}");
                return new Dropout<float>(spec.P.Value);
            case "flatten":
                return new Flatten<float>();
        }
        if (ActivationNames.TryParse(spec.Type, out var activation))
            return new ActivationLayer<float>(activation);
        throw Error($"__metadata__.architecture[{index}].type", $"layer type \"{spec.Type}\" is not supported by this version");
    }

    private static Tensor<float> Parameter(SavedModel saved, string name, string path)
    {
        if (!saved.Parameters.TryGetValue(name, out var tensor)) throw new ModelFormatException(path, name, "is missing");
        var values = tensor.ToFloats();
        foreach (float value in values)
            if (!float.IsFinite(value)) throw new ModelFormatException(path, name, "holds NaN or infinity");
        return Backprop.Tensor.FromArray(values, tensor.Shape);
    }
}
