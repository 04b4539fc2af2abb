using Backprop.Nn;
using Backprop.Training;
using FsCheck.Xunit;

namespace Backprop.Tests.Training;

/// <summary>The fused engine computes what autograd computes, and allocates nothing once warm.</summary>
public sealed class DenseNetworkEngineTests
{
    private static Sequential<double> RandomNetwork(Random random, int inputs, int outputs, out Activation[] activations)
    {
        int depth = random.Next(1, 4);
        var layers = new List<Module<double>>();
        var all = Enum.GetValues<Activation>();
        activations = new Activation[depth];
        int width = inputs;
        for (int l = 0; l < depth; l++)
        {
            int next = l == depth - 1 ? outputs : random.Next(1, 7);
            layers.Add(new Linear<double>(width, next, random));
            activations[l] = l == depth - 1 ? Activation.Identity : all[random.Next(all.Length)];
            if (activations[l] != Activation.Identity) layers.Add(new ActivationLayer<double>(activations[l]));
            width = next;
        }
        return new Sequential<double>(layers);
    }

    [Property(MaxTest = 40)]
    public void Classification_gradients_equal_autograd(int seed)
    {
        var random = new Random(seed);
        int inputs = random.Next(1, 6), classes = random.Next(2, 5), batch = random.Next(1, 9);
        var network = RandomNetwork(random, inputs, classes, out _);
        var x = Tensor.Uniform(random, -2.0, 2.0, batch, inputs);
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();

        var loss = Loss.CrossEntropy(network.Forward(x), labels);
        loss.Backward();
        var expected = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();

        var engine = new DenseNetworkEngine<double>(network);
        double lossSum = engine.ComputeGradients(x.Data, labels, batch);
        Assert.Equal(loss.Item(), lossSum / batch, 1e-12);
        var actual = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        for (int p = 0; p < expected.Length; p++)
            for (int i = 0; i < expected[p].Length; i++)
                Assert.Equal(expected[p][i], actual[p][i], 1e-12);
    }

    [Property(MaxTest = 40)]
    public void Regression_gradients_equal_autograd(int seed)
    {
        var random = new Random(seed);
        int inputs = random.Next(1, 6), outputs = random.Next(1, 3), batch = random.Next(1, 9);
        var network = RandomNetwork(random, inputs, outputs, out _);
        var x = Tensor.Uniform(random, -2.0, 2.0, batch, inputs);
        var y = Tensor.Uniform(random, -2.0, 2.0, batch, outputs);

        var loss = Loss.Mse(network.Forward(x), y);
        loss.Backward();
        var expected = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();

        var engine = new DenseNetworkEngine<double>(network);
        double squaredSum = engine.ComputeGradients(x.Data, y.Data, batch);
        Assert.Equal(loss.Item(), squaredSum / (batch * outputs), 1e-12);
        var actual = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        for (int p = 0; p < expected.Length; p++)
            for (int i = 0; i < expected[p].Length; i++)
                Assert.Equal(expected[p][i], actual[p][i], 1e-12);
    }

    [Fact]
    public void A_warm_training_step_allocates_nothing()
    {
        var random = new Random(1);
        var network = new Sequential<float>(new Linear<float>(64, 32, random), new ActivationLayer<float>(Activation.Relu), new Linear<float>(32, 10, random));
        var engine = new DenseNetworkEngine<float>(network, 16);
        var optimizer = new Backprop.Optim.Sgd<float>(network.Parameters(), 0.01f);
        var x = Tensor.Uniform(random, -1f, 1f, 16, 64).ToArray();
        var labels = Enumerable.Range(0, 16).Select(i => i % 10).ToArray();
        for (int i = 0; i < 10; i++) { engine.ComputeGradients(x, labels, 16); optimizer.Step(); }
        var allocated = SteadyState.AllocatedBytesPerRound(() =>
        {
            for (int i = 0; i < 100; i++) { engine.ComputeGradients(x, labels, 16); optimizer.Step(); }
        });
        Assert.True(allocated[^1] == 0, $"bytes allocated per 100 steps, round by round: {string.Join(", ", allocated)}");
    }
}
