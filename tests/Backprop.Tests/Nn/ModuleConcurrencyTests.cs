using Backprop.Nn;

namespace Backprop.Tests.Nn;

public sealed class ModuleConcurrencyTests
{
    [Fact]
    public void A_network_in_inference_gives_every_thread_the_output_of_a_lone_forward()
    {
        var random = new Random(7);
        var network = new Sequential<double>(new Conv2d<double>(2, 4, kernel: 3, random, padding: 1), new BatchNorm<double>(4),
            new ActivationLayer<double>(Activation.Relu), new MaxPool2d<double>(2), new Flatten<double>(), new Dropout<double>(0.5, random),
            new Linear<double>(4 * 8 * 8, 300, random), new ActivationLayer<double>(Activation.Relu), new Linear<double>(300, 5, random));
        network.SetTraining(false);
        var images = Tensor.Uniform(random, -1.0, 1.0, 32, 2, 16, 16);
        double[] alone;
        using (GradMode.NoGrad()) alone = network.Forward(images).ToArray();

        var outputs = new double[8][];
        Parallel.For(0, outputs.Length, i =>
        {
            using (GradMode.NoGrad()) outputs[i] = network.Forward(images).ToArray();
        });

        Assert.All(outputs, output => Assert.Equal(alone, output));
    }
}
