using System.Text.Json;
using Backprop.Nn;

namespace Backprop.Tests.Golden;

/// <summary>Whole networks — every activation and loss, single samples and batches — agree with PyTorch
/// (networks.json): each layer's z and a, the loss, every gradient and the SGD-updated parameters.</summary>
public sealed class NetworksGoldenTests
{
    public static IEnumerable<object[]> Cases => GoldenFile.CaseNames("networks.json");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Network_step_matches_pytorch(string name)
    {
        var golden = GoldenFile.Case("networks.json", name);
        var model = golden.GetProperty("model");
        var layers = model.GetProperty("layers").EnumerateArray().Select(layer =>
        {
            ActivationNames.TryParse(layer.GetProperty("activation").GetString()!, out var activation);
            var weights = layer.GetProperty("weights").EnumerateArray().Select(GoldenFile.Flat).ToArray();
            return (Linear: new Linear<double>(Tensor.FromRows(weights), Tensor.From(GoldenFile.Flat(layer.GetProperty("bias")))), Activation: activation);
        }).ToArray();
        var inputElement = model.GetProperty("input");
        bool batched = inputElement[0].ValueKind == JsonValueKind.Array;
        var input = batched ? Tensor.FromRows(inputElement.EnumerateArray().Select(GoldenFile.Flat).ToArray()) : Tensor.From(GoldenFile.Flat(inputElement));
        Loss.TryParse(model.GetProperty("loss").GetString()!, out var lossKind);

        var expectedLayers = golden.GetProperty("forward").GetProperty("layers").EnumerateArray().ToArray();
        var activations = input;
        for (int i = 0; i < layers.Length; i++)
        {
            var z = layers[i].Linear.Forward(activations);
            activations = z.Apply(layers[i].Activation);
            GoldenFile.AssertClose(GoldenFile.Flat(expectedLayers[i].GetProperty("z")), z.Data, $"layer {i} z");
            GoldenFile.AssertClose(GoldenFile.Flat(expectedLayers[i].GetProperty("a")), activations.Data, $"layer {i} a");
        }
        var targetValues = GoldenFile.Flat(model.GetProperty("target"));
        var target = lossKind == LossKind.CrossEntropy ? Tensor.From(targetValues) : Tensor.FromArray(targetValues, activations.Shape.ToArray());
        var loss = Loss.Compute(lossKind, activations, target);
        GoldenFile.AssertClose([golden.GetProperty("forward").GetProperty("loss").GetDouble()], loss.Data, "loss");

        loss.Backward();
        var parameters = layers.SelectMany(l => new[] { l.Linear.Weight, l.Linear.Bias }).ToArray();
        var gradients = golden.GetProperty("gradients").EnumerateArray().SelectMany(g => new[] { GoldenFile.Flat(g.GetProperty("weights")), GoldenFile.Flat(g.GetProperty("bias")) }).ToArray();
        for (int p = 0; p < parameters.Length; p++) GoldenFile.AssertClose(gradients[p], parameters[p].Grad!.Data, $"gradient of parameter {p}");

        var optimizer = new Backprop.Optim.Sgd<double>(parameters, model.GetProperty("learning_rate").GetDouble());
        optimizer.Step();
        var updated = golden.GetProperty("updated").EnumerateArray().SelectMany(g => new[] { GoldenFile.Flat(g.GetProperty("weights")), GoldenFile.Flat(g.GetProperty("bias")) }).ToArray();
        for (int p = 0; p < parameters.Length; p++) GoldenFile.AssertClose(updated[p], parameters[p].Data, $"updated parameter {p}");
    }
}
