using System.Text.Json;
using Backprop.Nn;

namespace Backprop.Cli.Training;

/// <summary>
/// `train --arch FILE.json`: an explicit layer stack. This version builds dense stacks — `dense` (units),
/// any activation by name, and `flatten` (a no-op on flat rows); convolution, pooling, batch norm and dropout
/// are refused with a clear error rather than silently ignored.
/// </summary>
internal sealed class ArchitectureFile
{
    private static readonly HashSet<string> NotYetSupported = ["conv2d", "maxpool2d", "avgpool2d", "batchnorm", "dropout"];

    private readonly string path;
    private readonly List<(int? Units, Activation? Activation)> layers = [];

    private ArchitectureFile(string path, string text)
    {
        this.path = path;
        Text = text;
    }

    /// <summary>The file's content, part of the settings a resumed run must match.</summary>
    public string Text { get; }

    public int[]? InputShape { get; private set; }

    /// <summary>The widths of the stack's dense layers, in order.</summary>
    public int[] HiddenWidths => layers.Select(layer => layer.Units!.Value).ToArray();

    public static ArchitectureFile Load(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"--arch: {path}: no such file");
        var file = new ArchitectureFile(path, File.ReadAllText(path));
        JsonDocument document;
        try { document = JsonDocument.Parse(file.Text); }
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
            if (shape.ValueKind != JsonValueKind.Array || shape.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int v) || v <= 0))
                throw Error("input_shape", "expected a list of positive integers");
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
            if (type == "dense")
            {
                if (!layer.TryGetProperty("units", out var units) || units.ValueKind != JsonValueKind.Number || !units.TryGetInt32(out int width) || width <= 0)
                    throw Error($"{field}.units", "a dense layer needs a positive integer \"units\"");
                layers.Add((width, null));
            }
            else if (ActivationNames.TryParse(type, out var activation))
            {
                if (layers.Count == 0 || layers[^1].Units is null)
                    throw Error($"{field}.type", $"'{type}' must follow a dense layer (one activation per dense layer)");
                layers[^1] = (layers[^1].Units, activation);
            }
            else if (type == "flatten")
            {
                continue;
            }
            else if (NotYetSupported.Contains(type))
            {
                throw Error($"{field}.type", $"'{type}' layers are not supported yet in this version (dense stacks only)");
            }
            else
            {
                throw Error($"{field}.type", $"unknown layer type '{type}' (expected dense, flatten, {string.Join(", ", ActivationNames.All)})");
            }
        }
    }

    /// <summary>The network for <paramref name="inputs"/> features and <paramref name="outputs"/> outputs; a final dense
    /// layer of that width is added unless the stack already ends in one.</summary>
    public Sequential<float> Build(int inputs, int outputs, Random random)
    {
        if (InputShape is { } shape && shape.Aggregate(1L, (p, d) => p * d) != inputs)
            throw Error("input_shape", $"[{string.Join(", ", shape)}] holds {shape.Aggregate(1L, (p, d) => p * d)} values, the data has {inputs} features");
        var stack = new List<(int? Units, Activation? Activation)>(layers);
        if (stack.Count == 0 || stack[^1].Units != outputs || stack[^1].Activation is not null) stack.Add((outputs, null));
        var modules = new List<Module<float>>();
        int width = inputs;
        foreach (var (units, activation) in stack)
        {
            modules.Add(new Linear<float>(width, units!.Value, random));
            if (activation is { } a && a != Activation.Identity) modules.Add(new ActivationLayer<float>(a));
            width = units.Value;
        }
        return new Sequential<float>(modules);
    }

    private UsageException Error(string field, string problem) =>
        new(field.Length == 0 ? $"{path}: {problem}" : $"{path}: {field}: {problem}");
}
