using System.Text.Json;

namespace Backprop.Tests.Golden;

/// <summary>Reads the JSON that the committed PyTorch generators wrote (see Golden/README.md).</summary>
internal static class GoldenFile
{
    public static JsonElement Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    public static IEnumerable<object[]> CaseNames(string file) =>
        Load(file).GetProperty("cases").EnumerateArray().Select(c => new object[] { c.GetProperty("name").GetString()! });

    public static JsonElement Case(string file, string name) =>
        Load(file).GetProperty("cases").EnumerateArray().First(c => c.GetProperty("name").GetString() == name);

    public static double[] Flat(JsonElement element)
    {
        var values = new List<double>();
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Walk(item);
            else values.Add(e.GetDouble());
        }
        Walk(element);
        return values.ToArray();
    }

    public static Tensor<double> Tensor(JsonElement shapeAndValues) =>
        Backprop.Tensor.FromArray(Flat(shapeAndValues.GetProperty("values")), shapeAndValues.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray());

    /// <summary>The optimizer a generator describes (lr, momentum, weight_decay, betas, eps), of the kind named by
    /// <paramref name="kindKey"/>: sgd, momentum, nesterov, adam or adamw.</summary>
    public static Backprop.Optim.Optimizer<double> Optimizer(JsonElement spec, string kindKey, Tensor<double>[] parameters)
    {
        double learningRate = spec.GetProperty("lr").GetDouble(), weightDecay = spec.GetProperty("weight_decay").GetDouble();
        double momentum = spec.GetProperty("momentum").GetDouble(), epsilon = spec.GetProperty("eps").GetDouble();
        var betas = Flat(spec.GetProperty("betas"));
        return spec.GetProperty(kindKey).GetString() switch
        {
            "sgd" => new Backprop.Optim.Sgd<double>(parameters, learningRate, weightDecay: weightDecay),
            "momentum" => new Backprop.Optim.Sgd<double>(parameters, learningRate, momentum, weightDecay: weightDecay),
            "nesterov" => new Backprop.Optim.Sgd<double>(parameters, learningRate, momentum, nesterov: true, weightDecay: weightDecay),
            "adam" => new Backprop.Optim.Adam<double>(parameters, learningRate, betas[0], betas[1], epsilon, weightDecay),
            "adamw" => new Backprop.Optim.AdamW<double>(parameters, learningRate, betas[0], betas[1], epsilon, weightDecay),
            var other => throw new InvalidDataException($"unknown optimizer {other}"),
        };
    }

    /// <summary>The golden tolerance: |actual − expected| ≤ 1e-12 · max(1, |expected|).</summary>
    public static void AssertClose(double[] expected, ReadOnlySpan<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }
}
