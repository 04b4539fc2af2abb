using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class ModuleTests
{
    /// <summary>A module of one's own, as a PyTorch user writes one: two dense layers with dropout between them.</summary>
    private sealed class TwoLayers : Module<double>
    {
        private readonly Linear<double> first, second;
        private readonly Dropout<double> dropout = new(0.5);

        public TwoLayers(Random random)
        {
            first = new Linear<double>(4, 8, random);
            second = new Linear<double>(8, 2, random);
        }

        public override Tensor<double> Forward(Tensor<double> input) => second.Forward(dropout.Forward(first.Forward(input).Relu()));

        public override IEnumerable<Module<double>> Children() => [first, dropout, second];

        public override IEnumerable<(string Name, Tensor<double> Parameter)> NamedParameters() =>
            first.NamedParameters().Concat(second.NamedParameters());
    }

    [Fact]
    public void Inference_mode_reaches_the_dropout_inside_a_module_of_ones_own()
    {
        var model = new TwoLayers(new Random(1));
        var x = Tensor.Ones<double>(1, 4);

        model.SetTraining(false);

        Assert.Equal(model.Forward(x).ToArray(), model.Forward(x).ToArray());
    }

    [Fact]
    public void A_module_of_ones_own_inside_a_sequential_is_switched_with_it()
    {
        var own = new TwoLayers(new Random(1));
        var network = new Sequential<double>(own, new Linear<double>(2, 1, new Random(2)));

        network.SetTraining(false);

        Assert.All(own.Children(), child => Assert.False(child.Training));
    }
}
