using System.Text.Json;
using Backprop.IO;
using Backprop.Nn;

namespace Backprop.Cli.Training;

/// <summary>
/// `train --arch FILE.json`: an explicit layer stack — `dense` (units), `conv2d` (out_channels, kernel, stride,
/// padding), `maxpool2d` and `avgpool2d` (kernel, stride = kernel), `batchnorm`, `dropout` (p), `flatten`, and
/// every activation by name — checked field by field, then built for the data's input shape with every layer's
/// shape worked out in advance, so a mismatch is a clear error before training starts.
/// </summary>
internal sealed class ArchitectureFile
{
    private readonly string path;
    private readonly List<(LayerSpecText Spec, string Field)> layers = [];

    /// <summary>One layer as written, validated but not yet sized.</summary>
    private sealed record LayerSpecText(string Type, int? Units = null, int? OutChannels = null, int? Kernel = null,
        int? Stride = null, int? Padding = null, double? P = null);

    private ArchitectureFile(string path, string text)
    {
        this.path = path;
        Text = text;
    }

    /// <summary>The file's content, part of the settings a resumed run must match.</summary>
    public string Text { get; }

    public int[]? InputShape { get; private set; }

    /// <summary>The largest --arch file read.</summary>
    public const int MaxFileBytes = 16 << 20;

    public static ArchitectureFile Load(string path)
    {
        // NOTE: File.Exists is false for a folder too, which was then reported as "no such file".
        if (Directory.Exists(path)) throw new UsageException($"--arch: {path} is a folder, not a file");
        if (!File.Exists(path)) throw new UsageException($"--arch: {path}: no such file");
        // NOTE: bounded, since a pipe may not end: `head -c 3G /dev/zero | backprop train --arch -` ran out of memory (exit 1).
        byte[] bytes = BoundedFile.ReadAllBytes(path, MaxFileBytes)
            ?? throw new UsageException($"--arch: {path}: the file is larger than {MaxFileBytes / (1 << 20)} MB; an architecture is a short list of layers (JSON)");
        var file = new ArchitectureFile(path, new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true).ReadToEnd());
        JsonDocument document;
        try
        {
            byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(file.Text);
            if (Backprop.IO.JsonDuplicateKeys.Find(utf8) is var (key, first, second))
                throw file.Error(key, $"the key is given twice, on lines {Backprop.IO.JsonDuplicateKeys.Line(utf8, first)} and " +
                    $"{Backprop.IO.JsonDuplicateKeys.Line(utf8, second)}; give it once");
            document = JsonDocument.Parse(file.Text);
        }
        catch (JsonException exception)
        {
            throw new UsageException($"{path}: line {exception.LineNumber + 1}: malformed JSON ({exception.Message.Split('.')[0]})");
        }
        using (document) file.Read(document.RootElement);
        return file;
    }

    private void Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Error("", "expected an object with \"layers\"");
        if (root.TryGetProperty("input_shape", out var shape))
        {
            if (shape.ValueKind != JsonValueKind.Array || shape.GetArrayLength() is not (1 or 3)
                || shape.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v <= 0))
                throw Error("input_shape", "expected [features] or [channels, height, width], positive integers");
            InputShape = shape.EnumerateArray().Select(d => d.GetInt32()).ToArray();
        }
        if (!root.TryGetProperty("layers", out var list) || list.ValueKind != JsonValueKind.Array)
            throw Error("layers", "expected a list of layers");
        int index = 0;
        foreach (var layer in list.EnumerateArray())
        {
            string field = $"layers[{index++}]";
            if (layer.ValueKind != JsonValueKind.Object || !layer.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
                throw Error(field, "expected an object with a \"type\"");
            string type = typeElement.GetString()!;
            var spec = type switch
            {
                "dense" => new LayerSpecText(type, Units: Integer(layer, field, "units", required: true, minimum: 1)),
                "conv2d" => new LayerSpecText(type, OutChannels: Integer(layer, field, "out_channels", required: true, minimum: 1),
                    Kernel: Integer(layer, field, "kernel", required: true, minimum: 1), Stride: Integer(layer, field, "stride", minimum: 1) ?? 1,
                    Padding: Integer(layer, field, "padding", minimum: 0) ?? 0),
                "maxpool2d" or "avgpool2d" => new LayerSpecText(type, Kernel: Integer(layer, field, "kernel", required: true, minimum: 1),
                    Stride: Integer(layer, field, "stride", minimum: 1)),
                "dropout" => new LayerSpecText(type, P: Probability(layer, field)),
                "batchnorm" or "flatten" => new LayerSpecText(type),
                _ when ActivationNames.TryParse(type, out _) => new LayerSpecText(type),
                _ => throw Error($"{field}.type", $"unknown layer type '{type}' (expected dense, conv2d, maxpool2d, avgpool2d, batchnorm, dropout, flatten, {string.Join(", ", ActivationNames.All)})"),
            };
            CheckKeys(layer, field, type);
            layers.Add((spec, field));
        }
    }

    // NOTE: a misspelt or misplaced key ("strides", a dense layer's "activation") would otherwise be ignored and
    // train another network than the one written, so every key must be one its layer type takes.
    private void CheckKeys(JsonElement layer, string field, string type)
    {
        string[] keys = type switch
        {
            "dense" => ["units"],
            "conv2d" => ["out_channels", "kernel", "stride", "padding"],
            "maxpool2d" or "avgpool2d" => ["kernel", "stride"],
            "dropout" => ["p"],
            _ => [],
        };
        foreach (var property in layer.EnumerateObject())
        {
            if (property.Name == "type" || keys.Contains(property.Name)) continue;
            string takes = keys.Length == 0 ? "takes no keys but type" : $"takes {string.Join(", ", keys)}";
            string hint = type == "dense" && property.Name == "activation" ? "; put the activation after it as a layer of its own, e.g. {\"type\": \"relu\"}" : "";
            throw Error(field, $"unknown key \"{Backprop.Data.Excerpt.Of(property.Name)}\": {type} {takes}{hint}");
        }
    }

    /// <summary>
    /// The network for inputs of <paramref name="dataShape"/> (unless the file gives input_shape) and
    /// <paramref name="outputs"/> outputs; a final dense layer of that width is added unless the stack already
    /// ends in one. A dense layer after image-shaped activations flattens them first, as `flatten` would.
    /// The stack is sized in a first pass that allocates nothing, so one that would hold more than
    /// <paramref name="maxParameters"/> parameters, or a layer whose output for one sample is more than
    /// <see cref="SampleSize.MaxValues"/>, is refused (naming the layer) instead of failing while its weights or
    /// activations are allocated.
    /// </summary>
    public Sequential<float> Build(int[] dataShape, int outputs, Random random, long maxParameters)
    {
        Walk(dataShape, outputs, maxParameters, modules: null, random);
        var modules = new List<Module<float>>();
        Walk(dataShape, outputs, maxParameters, modules, random);
        return new Sequential<float>(modules);
    }

    // Works out every layer's shape and parameter count; builds the modules too when given a list.
    private void Walk(int[] dataShape, int outputs, long maxParameters, List<Module<float>>? modules, Random random)
    {
        long inputs = dataShape.Aggregate(1L, (p, d) => p * d);
        int[] shape = InputShape ?? dataShape;
        if (shape.Aggregate(1L, (p, d) => p * d) != inputs)
            throw Error("input_shape", $"[{string.Join(", ", shape)}] holds {shape.Aggregate(1L, (p, d) => p * d)} values, the data has {inputs} features");
        var stack = new List<(LayerSpecText Spec, string Field)>(layers);
        if (stack.Count == 0 || stack[^1].Spec is not { Type: "dense" } last || last.Units != outputs)
            stack.Add((new LayerSpecText("dense", Units: outputs), "the output layer"));

        long parameters = 0;
        void Count(string field, long added)
        {
            parameters += added;
            if (parameters > maxParameters)
                throw Error(field, $"brings the network to {parameters:N0} parameters, more than the {maxParameters:N0} this version trains");
        }
        // The next layer's output shape, sized in long: a large padding or channel count must not wrap around.
        int[] Sized(string field, params long[] next) =>
            SampleSize.OutputProblem(next) is { } problem ? throw Error(field, problem) : [.. next.Select(size => (int)size)];
        void Flatten(string field)
        {
            if (shape.Length != 3) return;
            modules?.Add(new Flatten<float>());
            shape = Sized(field, (long)shape[0] * shape[1] * shape[2]);
        }

        foreach (var (spec, field) in stack)
        {
            switch (spec.Type)
            {
                case "dense":
                    Flatten(field);
                    Count(field, (long)shape[0] * spec.Units!.Value + spec.Units.Value);
                    int inFeatures = shape[0];
                    shape = Sized(field, spec.Units.Value);
                    modules?.Add(new Linear<float>(inFeatures, spec.Units.Value, random));
                    break;
                case "conv2d":
                {
                    var output = Windows(shape, field, spec.OutChannels!.Value, spec.Kernel!.Value, spec.Stride!.Value, spec.Padding!.Value);
                    Count(field, (long)spec.OutChannels.Value * shape[0] * spec.Kernel.Value * spec.Kernel.Value + spec.OutChannels.Value);
                    if (SampleSize.ConvolutionProblem([.. shape.Select(size => (long)size)], spec.Kernel.Value, output) is { } problem)
                        throw Error(field, problem);
                    modules?.Add(new Conv2d<float>(shape[0], spec.OutChannels.Value, spec.Kernel.Value, random, spec.Stride.Value, spec.Padding.Value));
                    shape = [.. output.Select(size => (int)size)];
                    break;
                }
                case "maxpool2d" or "avgpool2d":
                {
                    int stride = spec.Stride ?? spec.Kernel!.Value;
                    var output = Windows(shape, field, outChannels: null, spec.Kernel!.Value, stride, 0);
                    modules?.Add(spec.Type == "maxpool2d" ? new MaxPool2d<float>(spec.Kernel.Value, stride) : new AvgPool2d<float>(spec.Kernel.Value, stride));
                    shape = Sized(field, output);
                    break;
                }
                case "batchnorm":
                    Count(field, 2L * shape[0]);
                    modules?.Add(new BatchNorm<float>(shape[0]));
                    break;
                case "dropout":
                    modules?.Add(new Dropout<float>(spec.P!.Value));
                    break;
                case "flatten":
                    // NOTE: a no-op on flat rows, so it is left out there.
                    Flatten(field);
                    break;
                default:
                    var activation = ActivationNames.TryParse(spec.Type, out var a) ? a : throw new InvalidOperationException(spec.Type);
                    if (activation != Activation.Identity) modules?.Add(new ActivationLayer<float>(activation));
                    break;
            }
        }
    }

    // The output shape of a kernel sliding over an image-shaped input, sized in long; pooling keeps the channels (null).
    private long[] Windows(int[] shape, string field, int? outChannels, int kernel, int stride, int padding)
    {
        if (shape.Length != 3)
            throw Error(field, $"needs image-shaped input [channels, height, width], but it gets [{string.Join(", ", shape)}] (set input_shape, or move it before flatten/dense)");
        if (shape[1] + 2L * padding < kernel || shape[2] + 2L * padding < kernel)
            throw Error($"{field}.kernel", $"{kernel} is larger than its {shape[1]}×{shape[2]} input (padding {padding})");
        return SampleSize.AfterWindows([.. shape.Select(size => (long)size)], outChannels ?? shape[0], kernel, stride, padding);
    }

    private int? Integer(JsonElement layer, string field, string name, bool required = false, int minimum = 0)
    {
        if (!layer.TryGetProperty(name, out var element))
            return required ? throw Error($"{field}.{name}", $"is required") : null;
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt32(out int value) || value < minimum)
            throw Error($"{field}.{name}", $"expected an integer ≥ {minimum}, got {element.GetRawText()}");
        return value;
    }

    private double Probability(JsonElement layer, string field)
    {
        if (!layer.TryGetProperty("p", out var element)) return 0.5; // PyTorch's default
        if (element.ValueKind != JsonValueKind.Number || !(element.GetDouble() is >= 0 and < 1))
            throw Error($"{field}.p", $"expected a probability in [0, 1), got {element.GetRawText()}");
        return element.GetDouble();
    }

    private UsageException Error(string field, string problem) =>
        new(field.Length == 0 ? $"{path}: {problem}" : $"{path}: {field}: {problem}");
}
