using System.Text.Json;

namespace Backprop.Tests.Golden;

/// <summary>Convolution, pooling and batch norm agree with PyTorch (cnn_ops.json): forward values, gradients,
/// and batch norm's running statistics after the call.</summary>
public sealed class CnnOpsGoldenTests
{
    public static IEnumerable<object[]> Cases => GoldenFile.CaseNames("cnn_ops.json");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Op_matches_pytorch(string name)
    {
        var golden = GoldenFile.Case("cnn_ops.json", name);
        var parameters = golden.GetProperty("params");
        var inputs = golden.GetProperty("inputs").EnumerateArray().Select(i => GoldenFile.Tensor(i).RequireGrad()).ToArray();
        double[] runningMean = [], runningVar = [];
        var output = golden.GetProperty("op").GetString() switch
        {
            "conv2d" => Tensor<double>.Conv2d(inputs[0], inputs[1], inputs.Length > 2 ? inputs[2] : null,
                parameters.GetProperty("stride").GetInt32(), parameters.GetProperty("padding").GetInt32()),
            "max_pool2d" => inputs[0].MaxPool2d(parameters.GetProperty("kernel").GetInt32(), parameters.GetProperty("stride").GetInt32()),
            "avg_pool2d" => inputs[0].AvgPool2d(parameters.GetProperty("kernel").GetInt32(), parameters.GetProperty("stride").GetInt32()),
            "batch_norm" => Tensor<double>.BatchNorm(inputs[0], inputs[1], inputs[2],
                runningMean = GoldenFile.Flat(golden.GetProperty("running_mean")),
                runningVar = GoldenFile.Flat(golden.GetProperty("running_var")),
                parameters.GetProperty("training").GetBoolean(),
                parameters.GetProperty("momentum").GetDouble(), parameters.GetProperty("eps").GetDouble()),
            var op => throw new NotSupportedException(op),
        };
        (output * GoldenFile.Tensor(golden.GetProperty("w"))).Sum().Backward();

        Assert.Equal(golden.GetProperty("output").GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), output.Shape.ToArray());
        GoldenFile.AssertClose(GoldenFile.Flat(golden.GetProperty("output").GetProperty("values")), output.Data, "output");
        var gradients = golden.GetProperty("gradients").EnumerateArray().ToArray();
        for (int i = 0; i < inputs.Length; i++)
            GoldenFile.AssertClose(GoldenFile.Flat(gradients[i].GetProperty("values")), inputs[i].Grad!.Data, $"gradient {i}");
        if (golden.TryGetProperty("running_mean_after", out var meanAfter))
        {
            GoldenFile.AssertClose(GoldenFile.Flat(meanAfter), runningMean, "running mean");
            GoldenFile.AssertClose(GoldenFile.Flat(golden.GetProperty("running_var_after")), runningVar, "running var");
        }
    }
}
