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

    [Fact]
    public void A_dense_layer_used_twice_is_left_to_autograd_which_sums_the_gradients_of_both_uses()
    {
        var random = new Random(1);
        var shared = new Linear<double>(4, 4, random);
        var network = new Sequential<double>(new Linear<double>(3, 4, random), new ActivationLayer<double>(Activation.Tanh),
            shared, new ActivationLayer<double>(Activation.Tanh), shared, new ActivationLayer<double>(Activation.Tanh), new Linear<double>(4, 2, random));

        Assert.False(DenseNetworkEngine<double>.Supports(network));
        var error = Assert.Throws<NotSupportedException>(() => new DenseNetworkEngine<double>(network));
        Assert.Contains("layer 4 (Linear(in_features=4, out_features=4)) is layer 2 again", error.Message);
    }

    [Fact]
    public void Training_a_network_that_uses_a_dense_layer_twice_steps_it_by_both_uses()
    {
        var random = new Random(2);
        var shared = new Linear<float>(3, 3, random);
        var network = new Sequential<float>(new Linear<float>(2, 3, random), new ActivationLayer<float>(Activation.Tanh),
            shared, new ActivationLayer<float>(Activation.Tanh), shared, new ActivationLayer<float>(Activation.Tanh), new Linear<float>(3, 2, random));
        float[] features = [0.5f, -1, 1.5f, 0.25f, -0.75f, 2, 1, 1];
        int[] labels = [0, 1, 1, 0];
        var parameters = network.Parameters().ToArray();
        var before = parameters.Select(p => p.ToArray()).ToArray();

        // the expected step: autograd's gradient of the mean cross-entropy over the one batch, times the learning rate
        var loss = Loss.CrossEntropy(network.Forward(Tensor.FromArray(features, 4, 2)), labels);
        loss.Backward();
        var expected = parameters.Select((p, i) => before[i].Zip(p.Grad!.ToArray(), (value, grad) => value - 0.5f * grad).ToArray()).ToArray();
        network.ZeroGrad();

        var data = Backprop.Data.DataSet.Classification(features, 4, ["a", "b"], [2], labels, ["no", "yes"]);
        var model = new TrainedModel(network, Backprop.Data.TaskKind.Classification, data.FeatureNames, [2], data.ClassNames, null);
        Trainer.Fit(model, data, null, new Backprop.Optim.Sgd<float>(parameters, 0.5), new TrainingOptions { Epochs = 1, BatchSize = 4 });

        for (int p = 0; p < parameters.Length; p++)
            for (int i = 0; i < expected[p].Length; i++)
                Assert.Equal(expected[p][i], parameters[p].Data[i], 1e-6f);
    }
}
