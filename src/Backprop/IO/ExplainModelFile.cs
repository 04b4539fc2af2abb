using System.Globalization;
using System.Text;
using System.Text.Json;
using Backprop.Explain;
using Backprop.Nn;

namespace Backprop.IO;

/// <summary>
/// Reads the contract's explain model file (input, target, loss, learning_rate, dense layers) into an
/// <see cref="ExplainModel"/>, checking every field and refusing a key it does not know or one given twice.
/// Problems throw <see cref="ModelFileException"/> naming the file and the JSON path, e.g.
/// <c>model.json: layers[1].weights[0]: expected 2 numbers (the previous layer has 2 outputs), found 3</c>.
/// </summary>
public static class ExplainModelFile
{
    /// <summary>The name under which the notebook network (examples/notebook.json) is embedded in the library.</summary>
    public const string NotebookResource = "Backprop.Examples.notebook.json";

    /// <summary>The largest explain model file read: far more than the largest network explain can print in a day.</summary>
    public const int MaxFileBytes = 256 << 20;

    /// <summary>The name errors give the built-in notebook model.</summary>
    public const string NotebookName = "notebook.json (built-in)";

    /// <summary>Reads an explain model file (JSON); problems are a <see cref="ModelFileException"/> naming the file, line and field.</summary>
    public static ExplainModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        // NOTE: File.ReadAllBytes reports these in .NET's words: a folder as "Access to the path is denied",
        // an empty path as "The value cannot be an empty string. (Parameter 'path')".
        if (path.Length == 0) throw new ModelFileException("\"\"", "", "the path is empty; name an explain model file (JSON)");
        if (Directory.Exists(path)) throw new ModelFileException(path, "", "this is a folder, not a file; explain and gradcheck read a model file (JSON), as in examples/notebook.json");
        byte[] bytes;
        try
        {
            bytes = BoundedFile.ReadAllBytes(path, MaxFileBytes) ?? throw new ModelFileException(path, "",
                $"the file is larger than {MaxFileBytes / (1 << 20)} MB; an explain model is a small network written as JSON, as in examples/notebook.json");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ModelFileException(path, "", $"cannot read the file: {exception.Message}", exception);
        }
        // NOTE: a model written by `backprop train --out` is the likeliest wrong file here; its binary header
        // would otherwise be reported as malformed JSON at line 1, column 1.
        if (SafeTensors.LooksLikeOne(bytes))
            throw new ModelFileException(path, "", "this is a trained model (safetensors), not an explain model: explain and gradcheck " +
                "read a small network as JSON (input, target, loss, learning_rate, layers), as in examples/notebook.json");
        return Parse(new StreamReader(new MemoryStream(bytes), detectEncodingFromByteOrderMarks: true).ReadToEnd(), path);
    }

    /// <summary>The 3-2-1 network of the original notebook, one sample, squared error, learning rate 0.1.</summary>
    public static ExplainModel Notebook() => Parse(NotebookJson(), NotebookName);

    /// <summary>The text of the built-in notebook model file.</summary>
    public static string NotebookJson()
    {
        using var stream = typeof(ExplainModelFile).Assembly.GetManifestResourceStream(NotebookResource)
            ?? throw new InvalidOperationException($"the resource {NotebookResource} is missing from the library");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Parses model-file JSON; <paramref name="file"/> is the name errors give it.</summary>
    public static ExplainModel Parse(string json, string file)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(file);
        byte[] utf8 = Encoding.UTF8.GetBytes(json);
        JsonDocument document;
        try
        {
            RefuseDuplicateKeys(utf8, json, file);
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException exception)
        {
            // NOTE: JsonException counts lines and bytes from 0; editors count lines and characters from 1.
            string location = exception.LineNumber is long line
                ? Position(json, utf8, LineStart(utf8, line) + (exception.BytePositionInLine ?? 0))
                : "";
            throw new ModelFileException(file, location, $"malformed JSON: {WithoutPosition(exception.Message)}", exception);
        }
        using (document) return new Reader(file).Model(document.RootElement);
    }

    private static void RefuseDuplicateKeys(byte[] utf8, string json, string file)
    {
        if (JsonDuplicateKeys.Find(utf8) is var (path, first, second))
            throw new ModelFileException(file, path, $"the key is given twice, at {Position(json, utf8, first)} and at " +
                $"{Position(json, utf8, second)}; give it once");
    }

    /// <summary>The byte offset of line <paramref name="line"/> (from 0) in <paramref name="utf8"/>.</summary>
    private static long LineStart(byte[] utf8, long line)
    {
        // NOTE: a '\n' byte is never part of a longer UTF-8 sequence, and System.Text.Json counts lines by it alone.
        int start = 0;
        for (long seen = 0; seen < line && start < utf8.Length; seen++)
        {
            int next = Array.IndexOf(utf8, (byte)'\n', start);
            if (next < 0) break;
            start = next + 1;
        }
        return start;
    }

    /// <summary>"line L, column C" (from 1) of the byte at <paramref name="offset"/> in <paramref name="utf8"/>, the
    /// UTF-8 form of <paramref name="json"/>.</summary>
    /// <remarks>NOTE: System.Text.Json counts columns in UTF-8 bytes, so after "ééééé" its column was 5 too far
    /// right; an editor counts characters, as here (a letter and its accent marks are one).</remarks>
    private static string Position(string json, byte[] utf8, long offset)
    {
        int index = Math.Min(Encoding.UTF8.GetCharCount(utf8, 0, (int)Math.Min(offset, utf8.Length)), json.Length);
        int lineStart = index == 0 ? 0 : json.LastIndexOf('\n', index - 1) + 1;
        int line = json.AsSpan(0, lineStart).Count('\n') + 1;
        return $"line {line}, column {new StringInfo(json[lineStart..index]).LengthInTextElements + 1}";
    }

    /// <summary>System.Text.Json appends " LineNumber: 2 | BytePositionInLine: 4." to its messages; we say it our way.</summary>
    private static string WithoutPosition(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd().TrimEnd('.');
    }

    private sealed class Reader(string file)
    {
        public ExplainModel Model(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) throw Fail("", $"expected a JSON object with input, target, loss, learning_rate and layers, found {Describe(root)}");
            RefuseUnknownKeys(root, "", ModelKeys, "a model file");

            var lossName = String(Required(root, "", "loss"), "loss");
            if (!Nn.Loss.TryParse(lossName, out var loss))
                throw Fail("loss", $"unknown loss \"{lossName}\"; expected one of: {string.Join(", ", Nn.Loss.Names)}");

            var (inputs, isBatch) = Inputs(Required(root, "", "input"));
            var layers = Layers(Required(root, "", "layers"), inputs[0].Length);
            var targets = Targets(Required(root, "", "target"), loss, isBatch, inputs.Length, layers[^1].Outputs);
            double learningRate = Number(Required(root, "", "learning_rate"), "learning_rate");
            // NOTE: a negative rate would climb the loss; SGD refuses it, and the file should be told so, not crash.
            if (learningRate < 0) throw Fail("learning_rate", $"must be zero or positive, found {learningRate.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}");
            return new ExplainModel(inputs, isBatch, targets, loss, learningRate, layers);
        }

        private (double[][] Inputs, bool IsBatch) Inputs(JsonElement input)
        {
            const string expected = "a list of numbers (one sample) or a list of lists of numbers (a batch)";
            if (input.ValueKind != JsonValueKind.Array) throw Fail("input", $"expected {expected}, found {Describe(input)}");
            if (input.GetArrayLength() == 0) throw Fail("input", $"is empty; expected {expected}");
            bool isBatch = input[0].ValueKind == JsonValueKind.Array;
            if (!isBatch)
            {
                return ([Numbers(input, "input")], false);
            }
            var rows = new double[input.GetArrayLength()][];
            for (int i = 0; i < rows.Length; i++)
            {
                string path = $"input[{i}]";
                if (input[i].ValueKind != JsonValueKind.Array) throw Fail(path, $"expected a list of numbers (a batch's samples are all lists), found {Describe(input[i])}");
                rows[i] = Numbers(input[i], path);
                if (rows[i].Length == 0) throw Fail(path, "is empty; a sample needs at least one feature");
                if (rows[i].Length != rows[0].Length)
                    throw Fail(path, $"expected {CountOf(rows[0].Length, "number")} (as in input[0]), found {rows[i].Length}");
            }
            return (rows, true);
        }

        private ExplainLayer[] Layers(JsonElement layersElement, int inputWidth)
        {
            if (layersElement.ValueKind != JsonValueKind.Array) throw Fail("layers", $"expected a list of layers, found {Describe(layersElement)}");
            if (layersElement.GetArrayLength() == 0) throw Fail("layers", "is empty; expected at least one dense layer");
            var layers = new ExplainLayer[layersElement.GetArrayLength()];
            int previousWidth = inputWidth;
            for (int l = 0; l < layers.Length; l++)
            {
                string path = $"layers[{l}]";
                var layer = layersElement[l];
                if (layer.ValueKind != JsonValueKind.Object) throw Fail(path, $"expected an object with activation, weights and bias, found {Describe(layer)}");
                RefuseUnknownKeys(layer, path, LayerKeys, "a layer");
                if (layer.TryGetProperty("type", out var type))
                {
                    string typeName = String(type, $"{path}.type");
                    if (typeName != "dense") throw Fail($"{path}.type", $"unknown layer type \"{typeName}\"; explain supports only \"dense\"");
                }
                string activationName = String(Required(layer, path, "activation"), $"{path}.activation");
                if (!ActivationNames.TryParse(activationName, out var activation))
                    throw Fail($"{path}.activation", $"unknown activation \"{activationName}\"; expected one of: {string.Join(", ", ActivationNames.All)}");

                string why = l == 0 ? $"the input has {previousWidth} features" : $"the previous layer has {previousWidth} outputs";
                var weights = Weights(Required(layer, path, "weights"), $"{path}.weights", previousWidth, why);
                var bias = Numbers(Required(layer, path, "bias"), $"{path}.bias");
                if (bias.Length != weights.Length)
                    throw Fail($"{path}.bias", $"expected {CountOf(weights.Length, "number")} (one per row of weights), found {bias.Length}");
                layers[l] = new ExplainLayer(activation, weights, bias);
                previousWidth = weights.Length;
            }
            return layers;
        }

        private double[][] Weights(JsonElement element, string path, int width, string why)
        {
            if (element.ValueKind != JsonValueKind.Array) throw Fail(path, $"expected a list of rows [out][in], found {Describe(element)}");
            if (element.GetArrayLength() == 0) throw Fail(path, "is empty; expected at least one row (one per neuron)");
            var rows = new double[element.GetArrayLength()][];
            for (int j = 0; j < rows.Length; j++)
            {
                string rowPath = $"{path}[{j}]";
                if (element[j].ValueKind != JsonValueKind.Array)
                    throw Fail(rowPath, $"expected a list of {CountOf(width, "number")} (weights are [out][in]), found {Describe(element[j])}");
                rows[j] = Numbers(element[j], rowPath);
                if (rows[j].Length != width) throw Fail(rowPath, $"expected {CountOf(width, "number")} ({why}), found {rows[j].Length}");
            }
            return rows;
        }

        private double[][] Targets(JsonElement target, LossKind loss, bool isBatch, int samples, int outputs)
        {
            if (loss == LossKind.CrossEntropy) return ClassTargets(target, isBatch, samples, outputs);

            string why = $"the last layer has {outputs} output{(outputs == 1 ? "" : "s")}";
            double[][] targets;
            if (!isBatch)
            {
                if (target.ValueKind != JsonValueKind.Array)
                    throw Fail("target", $"expected a list of {CountOf(outputs, "number")} ({why}), found {Describe(target)}");
                targets = [Numbers(target, "target")];
                if (targets[0].Length != outputs) throw Fail("target", $"expected {CountOf(outputs, "number")} ({why}), found {targets[0].Length}");
            }
            else
            {
                if (target.ValueKind != JsonValueKind.Array || target.GetArrayLength() == 0 || target[0].ValueKind != JsonValueKind.Array)
                    throw Fail("target", $"expected a list of {samples} lists (one per input sample, as the input is a batch), found {Describe(target)}");
                if (target.GetArrayLength() != samples)
                    throw Fail("target", $"expected {samples} targets (one per input sample), found {target.GetArrayLength()}");
                targets = new double[samples][];
                for (int s = 0; s < samples; s++)
                {
                    string path = $"target[{s}]";
                    if (target[s].ValueKind != JsonValueKind.Array) throw Fail(path, $"expected a list of {CountOf(outputs, "number")}, found {Describe(target[s])}");
                    targets[s] = Numbers(target[s], path);
                    if (targets[s].Length != outputs) throw Fail(path, $"expected {CountOf(outputs, "number")} ({why}), found {targets[s].Length}");
                }
            }
            if (loss == LossKind.BinaryCrossEntropy)
            {
                for (int s = 0; s < targets.Length; s++)
                    for (int j = 0; j < outputs; j++)
                        if (targets[s][j] is not (0.0 or 1.0))
                            throw Fail(isBatch ? $"target[{s}][{j}]" : $"target[{j}]",
                                $"binary_cross_entropy targets must be 0 or 1, found {Format(targets[s][j])}");
            }
            return targets;
        }

        private double[][] ClassTargets(JsonElement target, bool isBatch, int samples, int classes)
        {
            if (!isBatch)
            {
                // One sample: an integer, or (leniently) a list holding one integer.
                if (target.ValueKind == JsonValueKind.Array)
                {
                    if (target.GetArrayLength() != 1)
                        throw Fail("target", $"expected one class index for the one input sample, found a list of {target.GetArrayLength()}");
                    return [[ClassIndex(target[0], "target[0]", classes)]];
                }
                return [[ClassIndex(target, "target", classes)]];
            }
            if (target.ValueKind != JsonValueKind.Array)
                throw Fail("target", $"expected a list of {samples} class indices (one per input sample), found {Describe(target)}");
            if (target.GetArrayLength() != samples)
                throw Fail("target", $"expected {samples} class indices (one per input sample), found {target.GetArrayLength()}");
            var targets = new double[samples][];
            for (int s = 0; s < samples; s++) targets[s] = [ClassIndex(target[s], $"target[{s}]", classes)];
            return targets;
        }

        private double ClassIndex(JsonElement element, string path, int classes)
        {
            if (element.ValueKind != JsonValueKind.Number)
                throw Fail(path, $"expected a class index (a whole number from 0 to {classes - 1}), found {Describe(element)}");
            double value = Number(element, path);
            if (value != Math.Floor(value)) throw Fail(path, $"expected a class index (a whole number), found {Format(value)}");
            if (value < 0 || value >= classes)
                throw Fail(path, $"class index {Format(value)} is out of range: the last layer has {CountOf(classes, "output")}, so classes are 0 to {classes - 1}");
            return value;
        }

        private static readonly string[] ModelKeys = ["input", "target", "loss", "learning_rate", "layers"];
        private static readonly string[] LayerKeys = ["type", "activation", "weights", "bias"];

        // NOTE: a key not read here was ignored, so explain showed another network than the one written:
        // "typ": "conv2d" gave a dense layer, and "activaton" a complaint that activation was missing.
        private void RefuseUnknownKeys(JsonElement element, string path, string[] keys, string what)
        {
            foreach (var property in element.EnumerateObject())
                if (!keys.Contains(property.Name))
                    throw Fail(path.Length == 0 ? Data.Excerpt.Of(property.Name) : $"{path}.{Data.Excerpt.Of(property.Name)}", $"unknown key; {what} takes {string.Join(", ", keys)}");
        }

        private JsonElement Required(JsonElement parent, string parentPath, string name)
        {
            if (parent.TryGetProperty(name, out var value)) return value;
            throw Fail(parentPath.Length == 0 ? name : $"{parentPath}.{name}", "required field is missing");
        }

        private string String(JsonElement element, string path) =>
            element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Fail(path, $"expected a string, found {Describe(element)}");

        private double[] Numbers(JsonElement element, string path)
        {
            if (element.ValueKind != JsonValueKind.Array) throw Fail(path, $"expected a list of numbers, found {Describe(element)}");
            var values = new double[element.GetArrayLength()];
            for (int i = 0; i < values.Length; i++) values[i] = Number(element[i], $"{path}[{i}]");
            return values;
        }

        private double Number(JsonElement element, string path)
        {
            if (element.ValueKind == JsonValueKind.String && double.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && !double.IsFinite(parsed))
                throw Fail(path, $"expected a finite number, found {Describe(element)} (NaN and infinities are not allowed)");
            if (element.ValueKind != JsonValueKind.Number) throw Fail(path, $"expected a number, found {Describe(element)}");
            if (!element.TryGetDouble(out var value) || !double.IsFinite(value))
                throw Fail(path, $"expected a finite float64 number, found {element.GetRawText()}");
            return value;
        }

        private ModelFileException Fail(string path, string problem) => new(file, path, problem);

        private static string Describe(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => $"a list of {element.GetArrayLength()}",
            JsonValueKind.String => $"the string {element.GetRawText()}",
            JsonValueKind.Number => $"the number {element.GetRawText()}",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => element.ValueKind.ToString(),
        };

        private static string CountOf(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}
