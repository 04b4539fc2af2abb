using System.Text.Json;

namespace Backprop.Tests.Golden;

/// <summary>Each tensor op's forward value and gradient agree with PyTorch (ops.json).</summary>
public sealed class OpsGoldenTests
{
    public static IEnumerable<object[]> Cases => GoldenFile.CaseNames("ops.json");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_matches_pytorch(string name)
    {
        var golden = GoldenFile.Case("ops.json", name);
        var inputs = golden.GetProperty("inputs").EnumerateArray().Select(i => GoldenFile.Tensor(i).RequireGrad()).ToArray();
        var output = Apply(golden.GetProperty("op").GetString()!, golden.GetProperty("params"), inputs);
        var w = GoldenFile.Tensor(golden.GetProperty("w"));
        (output * w).Sum().Backward();

        GoldenFile.AssertClose(GoldenFile.Flat(golden.GetProperty("output").GetProperty("values")), output.Data, "output");
        var gradients = golden.GetProperty("gradients").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            var expected = gradients[i].ValueKind == JsonValueKind.Object ? gradients[i].GetProperty("values") : gradients[i];
            GoldenFile.AssertClose(GoldenFile.Flat(expected), inputs[i].Grad!.Data, $"gradient {i}");
        }
    }

    private static Tensor<double> Apply(string op, JsonElement parameters, Tensor<double>[] x)
    {
        int? axis = parameters.TryGetProperty("axis", out var a) && a.ValueKind == JsonValueKind.Number ? a.GetInt32() : null;
        return op switch
        {
            "add" => x[0] + x[1],
            "sub" => x[0] - x[1],
            "mul" => x[0] * x[1],
            "div" => x[0] / x[1],
            "matmul" => x[0].MatMul(x[1]),
            "exp" => x[0].Exp(),
            "log" => x[0].Log(),
            "sqrt" => x[0].Sqrt(),
            "pow" => x[0].Pow(parameters.GetProperty("exponent").GetDouble()),
            "sum" => axis is { } s ? x[0].Sum(s) : x[0].Sum(),
            "mean" => axis is { } m ? x[0].Mean(m) : x[0].Mean(),
            "max" => axis is { } n ? x[0].Max(n) : x[0].Max(),
            "log_softmax" => x[0].LogSoftmax(),
            _ => ActivationNames.TryParse(op, out var activation) ? x[0].Apply(activation) : throw new NotSupportedException(op),
        };
    }
}
