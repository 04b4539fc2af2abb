using Backprop.Nn;
using Backprop.Training;

namespace Backprop.Tests.Training;

/// <summary>The autograd engine must train on exactly the objective the fused dense engine trains on.</summary>
public sealed class GraphNetworkEngineTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void On_a_dense_stack_it_gives_the_fused_engines_outputs_losses_and_gradients(int seed)
    {
        var random = new Random(seed);
        int inputs = 5, classes = 3, batch = 7;
        var input = Enumerable.Range(0, batch * inputs).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        var labels = Enumerable.Range(0, batch).Select(_ => random.Next(classes)).ToArray();
        var targets = Enumerable.Range(0, batch * classes).Select(_ => random.NextDouble()).ToArray();
        var network = NetworkBuilder.Mlp<double>(inputs, [6, 4], classes, Activation.Tanh, new Random(seed));
        var fused = new DenseNetworkEngine<double>(network, batch);
        var graph = new GraphNetworkEngine<double>(network, [inputs]);

        Assert.Equal(fused.Forward(input, batch).ToArray(), graph.Forward(input, batch).ToArray(), new Tolerance(1e-12));

        double fusedLoss = fused.ComputeGradients(input, labels, batch);
        var fusedGradients = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        double graphLoss = graph.ComputeGradients(input, labels, batch);
        Assert.Equal(fusedLoss, graphLoss, 10);
        foreach (var (expected, parameter) in fusedGradients.Zip(network.Parameters()))
            Assert.Equal(expected, parameter.Grad!.ToArray(), new Tolerance(1e-12));

        fusedLoss = fused.ComputeGradients(input, targets, batch);
        fusedGradients = network.Parameters().Select(p => p.Grad!.ToArray()).ToArray();
        graphLoss = graph.ComputeGradients(input, targets, batch);
        Assert.Equal(fusedLoss, graphLoss, 10);
        foreach (var (expected, parameter) in fusedGradients.Zip(network.Parameters()))
            Assert.Equal(expected, parameter.Grad!.ToArray(), new Tolerance(1e-12));
    }

    /// <summary>One gradient step on a fixed batch of two, after starting the given seed's epoch: its loss.</summary>
    private static Func<long, int, double> SeededStep(Sequential<double> network)
    {
        var engine = new GraphNetworkEngine<double>(network, [4]);
        double[] input = [0.1, 0.2, -0.3, 0.4, 1, -1, 0.5, 0.25];
        int[] labels = [0, 1];
        return (seed, epoch) =>
        {
            engine.StartEpoch(seed, epoch);
            return engine.ComputeGradients(input, labels, 2);
        };
    }

    [Fact]
    public void Dropout_masks_depend_only_on_the_seed_and_the_epoch()
    {
        var network = new Sequential<double>(new Linear<double>(4, 8, new Random(1)), new Dropout<double>(0.5), new Linear<double>(8, 2, new Random(2)));
        var step = SeededStep(network);

        double first = step(7, 3);
        Assert.Equal(first, step(7, 3));
        Assert.NotEqual(first, step(7, 4));
        Assert.NotEqual(first, step(8, 3));
    }

    [Fact]
    public void Dropout_inside_a_nested_stack_also_depends_only_on_the_seed_and_the_epoch()
    {
        // As Trainer.Fit resumes: a later epoch's masks must not depend on which epochs ran before it in this process.
        var inner = new Sequential<double>(new Linear<double>(4, 8, new Random(1)), new Dropout<double>(0.5));
        var network = new Sequential<double>(inner, new Linear<double>(8, 2, new Random(2)));
        var step = SeededStep(network);

        double first = step(7, 3);
        step(7, 4);
        Assert.Equal(first, step(7, 3));
        Assert.NotEqual(first, step(8, 3));
    }

    [Fact]
    public void Forward_runs_in_inference_mode_so_dropout_is_off()
    {
        var network = new Sequential<double>(new Linear<double>(3, 3, new Random(1)), new Dropout<double>(0.9));
        var engine = new GraphNetworkEngine<double>(network, [3]);
        double[] input = [1, 2, 3];

        var once = engine.Forward(input, 1).ToArray();
        var twice = engine.Forward(input, 1).ToArray();

        Assert.Equal(once, twice);
        Assert.Equal(Tensor<double>.Linear(Tensor.FromArray(input, 1, 3), ((Linear<double>)network.Layers[0]).Weight, ((Linear<double>)network.Layers[0]).Bias).ToArray(), once);
    }

    private sealed class Tolerance(double absolute) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= absolute * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double value) => 0;
    }
}
