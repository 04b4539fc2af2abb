using Backprop.Explain;
using Backprop.Nn;

namespace Backprop.Tests.Explain;

/// <summary>Small random explain models: 1–4 layers of width 1–4, any activation and loss, one sample or a batch.</summary>
internal static class RandomModels
{
    /// <param name="weightScale">Weights and biases are uniform in ±this.</param>
    public static ExplainModel Create(int seed, bool smoothOnly = false, double weightScale = 1)
    {
        var random = new Random(seed);
        var activations = smoothOnly
            ? new[] { Activation.Identity, Activation.Sigmoid, Activation.Tanh, Activation.Softplus, Activation.Gelu }
            : Enum.GetValues<Activation>();
        var loss = Enum.GetValues<LossKind>()[random.Next(4)];
        int depth = random.Next(1, 5);
        int width = random.Next(1, 5);
        int samples = random.Next(1, 4);
        bool batch = samples > 1 || random.Next(2) == 0;

        var layers = new List<ExplainLayer>();
        for (int l = 0; l < depth; l++)
        {
            int outputs = l == depth - 1 ? random.Next(loss == LossKind.CrossEntropy ? 2 : 1, 4) : random.Next(1, 5);
            var weights = Enumerable.Range(0, outputs).Select(_ => Values(random, width, weightScale)).ToArray();
            layers.Add(new ExplainLayer(activations[random.Next(activations.Length)], weights, Values(random, outputs, weightScale)));
            width = outputs;
        }
        var inputs = Enumerable.Range(0, samples).Select(_ => Values(random, layers[0].Inputs, 2)).ToArray();
        var targets = Enumerable.Range(0, samples).Select(_ => loss switch
        {
            LossKind.CrossEntropy => new double[] { random.Next(width) },
            LossKind.BinaryCrossEntropy => Enumerable.Range(0, width).Select(_ => (double)random.Next(2)).ToArray(),
            _ => Values(random, width, 3),
        }).ToArray();
        return new ExplainModel(inputs, batch, targets, loss, 0.05 + random.NextDouble(), layers);
    }

    private static double[] Values(Random random, int count, double scale = 1) =>
        Enumerable.Range(0, count).Select(_ => scale * (2 * random.NextDouble() - 1)).ToArray();
}
