using Backprop.Kernels;
using Backprop.Nn;
using Backprop.Optim;

namespace Backprop.Explain;

/// <summary>
/// Runs SGD steps on an <see cref="ExplainModel"/> in float64 and records every number. The forward values,
/// the loss, the gradients and the update come from the library itself (Tensor.Linear, Apply, Loss.Compute,
/// Backward, Sgd), so they are the numbers training would use; the per-neuron chain-rule factors are computed
/// beside them, explicitly, for display.
/// </summary>
public static class ExplainEngine
{
    /// <summary>Explains <paramref name="steps"/> steps, each starting from the previous step's updated parameters.</summary>
    public static ExplainTrace Run(ExplainModel model, int steps = 1) => new(Steps(model, steps).ToList());

    /// <summary>The same steps, computed one at a time as they are enumerated, so that a renderer can print each
    /// and let it go: a long run then needs the memory of one step, not of all of them.</summary>
    public static IEnumerable<StepTrace> Steps(ExplainModel model, int steps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return Enumerate(model, steps);

        static IEnumerable<StepTrace> Enumerate(ExplainModel model, int steps)
        {
            for (int step = 1; step <= steps; step++)
            {
                var stepTrace = Step(model, step);
                yield return stepTrace;
                model = model.WithLayers(stepTrace.Updated);
            }
        }
    }

    /// <summary>One step: forward, loss, backward, update.</summary>
    public static StepTrace Step(ExplainModel model, int step = 1)
    {
        ArgumentNullException.ThrowIfNull(model);
        var network = ExplainNetwork.Build(model);
        var loss = network.Loss();
        loss.Backward();
        var graph = GraphRecorder.Record(loss);

        var forward = Forward(model, network);
        var lossTrace = LossDetail(model, forward, loss.Item());
        var backward = Backward(model, network, forward, lossTrace);

        new Sgd<double>(network.Parameters, model.LearningRate).Step();
        var updated = network.Weights.Select((weight, l) => new ExplainLayer(model.Layers[l].Activation, Rows(weight), network.Biases[l].ToArray())).ToArray();
        return new StepTrace(step, model, forward, lossTrace, backward, updated, graph);
    }

    private static SampleForward[] Forward(ExplainModel model, ExplainNetwork network)
    {
        var samples = new SampleForward[model.SampleCount];
        for (int s = 0; s < samples.Length; s++)
        {
            var input = model.Inputs[s];
            var layers = new LayerForward[model.Layers.Count];
            for (int l = 0; l < layers.Length; l++)
            {
                var layer = model.Layers[l];
                var z = SampleRow(network.PreActivations[l], s);
                var a = SampleRow(network.Activations[l], s);
                var neurons = new NeuronForward[layer.Outputs];
                for (int j = 0; j < neurons.Length; j++)
                    neurons[j] = new NeuronForward(l, j, layer.Weights[j], input, layer.Bias[j], z[j], a[j]);
                layers[l] = new LayerForward(l, layer.Activation, neurons);
                input = a;
            }
            samples[s] = new SampleForward(s, model.Inputs[s], layers);
        }
        return samples;
    }

    /// <summary>The loss's terms and ∂C/∂ŷ, written out per the contract's definitions (mirroring Nn.Loss).</summary>
    private static LossTrace LossDetail(ExplainModel model, SampleForward[] forward, double value)
    {
        int outputs = model.OutputWidth;
        int denominator = model.Loss switch
        {
            LossKind.SquaredError => 1,
            LossKind.CrossEntropy => model.SampleCount,
            _ => model.SampleCount * outputs,
        };
        var samples = new LossSample[forward.Length];
        for (int s = 0; s < forward.Length; s++)
        {
            var prediction = forward[s].Prediction;
            var target = model.Targets[s];
            var terms = new double[model.Loss == LossKind.CrossEntropy ? 1 : outputs];
            var gradient = new double[outputs];
            double[]? softmax = null;
            switch (model.Loss)
            {
                case LossKind.SquaredError or LossKind.Mse:
                    for (int j = 0; j < outputs; j++)
                    {
                        double difference = prediction[j] - target[j];
                        terms[j] = difference * difference;
                        gradient[j] = 2 * difference / denominator;
                    }
                    break;
                case LossKind.BinaryCrossEntropy:
                    for (int j = 0; j < outputs; j++)
                    {
                        double logit = prediction[j];
                        terms[j] = Math.Max(logit, 0) - logit * target[j] + ActivationFunctions.LogOnePlus(Math.Exp(-Math.Abs(logit)));
                        gradient[j] = (ActivationFunctions.Sigmoid(logit) - target[j]) / denominator;
                    }
                    break;
                case LossKind.CrossEntropy:
                    int targetClass = (int)target[0];
                    double logSumExp = Kernels.Reductions.LogSumExp<double>(prediction);
                    terms[0] = logSumExp - prediction[targetClass];
                    softmax = prediction.Select(logit => Math.Exp(logit - logSumExp)).ToArray();
                    for (int j = 0; j < outputs; j++) gradient[j] = (softmax[j] - (j == targetClass ? 1 : 0)) / denominator;
                    break;
            }
            samples[s] = new LossSample(s, prediction, target, terms, softmax, gradient);
        }
        return new LossTrace(model.Loss, value, denominator, samples);
    }

    /// <summary>δ for every neuron, output layer first, and every parameter's chain-rule factors.</summary>
    private static LayerBackward[] Backward(ExplainModel model, ExplainNetwork network, SampleForward[] forward, LossTrace loss)
    {
        int layerCount = model.Layers.Count;
        // deltas[l][s][j]
        var deltas = new NeuronDelta[layerCount][][];
        for (int l = layerCount - 1; l >= 0; l--)
        {
            var layer = model.Layers[l];
            deltas[l] = new NeuronDelta[model.SampleCount][];
            for (int s = 0; s < model.SampleCount; s++)
            {
                deltas[l][s] = new NeuronDelta[layer.Outputs];
                for (int j = 0; j < layer.Outputs; j++)
                {
                    var neuron = forward[s].Layers[l].Neurons[j];
                    double derivative = ActivationDerivative(layer.Activation, neuron.Z, neuron.A);
                    DownstreamTerm[] downstream = [];
                    double outputGradient;
                    if (l == layerCount - 1)
                    {
                        outputGradient = loss.Samples[s].PredictionGradient[j];
                    }
                    else
                    {
                        var next = model.Layers[l + 1];
                        downstream = new DownstreamTerm[next.Outputs];
                        outputGradient = 0;
                        for (int k = 0; k < next.Outputs; k++)
                        {
                            downstream[k] = new DownstreamTerm(k, next.Weights[k][j], deltas[l + 1][s][k].Delta);
                            outputGradient += downstream[k].Weight * downstream[k].Delta;
                        }
                    }
                    deltas[l][s][j] = new NeuronDelta(s, l, j, neuron.Z, neuron.A, derivative, outputGradient, downstream, derivative * outputGradient);
                }
            }
        }

        var layers = new LayerBackward[layerCount];
        for (int l = 0; l < layerCount; l++)
        {
            var layer = model.Layers[l];
            var weightGrad = network.Weights[l].Grad!;
            var biasGrad = network.Biases[l].Grad!;
            var weights = new ParameterGradient[layer.Outputs][];
            var biases = new ParameterGradient[layer.Outputs];
            for (int j = 0; j < layer.Outputs; j++)
            {
                weights[j] = new ParameterGradient[layer.Inputs];
                for (int i = 0; i < layer.Inputs; i++)
                {
                    var terms = Enumerable.Range(0, model.SampleCount).Select(s =>
                    {
                        double input = l == 0 ? model.Inputs[s][i] : forward[s].Layers[l - 1].Neurons[i].A;
                        var factors = new List<ChainFactor> { new(FactorKind.Input, l, j, i, input) };
                        AppendDeltaFactors(factors, model, deltas, loss, s, l, j);
                        return new GradientTerm(s, factors);
                    }).ToArray();
                    weights[j][i] = new ParameterGradient(ParameterRef.Weight(l, j, i), terms, weightGrad[j, i]);
                }
                var biasTerms = Enumerable.Range(0, model.SampleCount).Select(s =>
                {
                    var factors = new List<ChainFactor>();
                    AppendDeltaFactors(factors, model, deltas, loss, s, l, j);
                    return new GradientTerm(s, factors);
                }).ToArray();
                biases[j] = new ParameterGradient(ParameterRef.Bias(l, j), biasTerms, biasGrad[j]);
            }
            layers[l] = new LayerBackward(l, layer.Activation, deltas[l], weights, biases);
        }
        return layers;
    }

    /// <summary>
    /// δ[l][j] as a product: f'(z), then, while the next layer has a single neuron, its weight and δ in turn
    /// (so the notebook's ∂C/∂w1 reads x₀ · σ'(z₁) · w₇ · 2(ŷ − y)); where several paths meet, ∂C/∂a is one
    /// factor, itself shown as a sum in the neuron's δ. Identity layers contribute no f' = 1 factor.
    /// </summary>
    private static void AppendDeltaFactors(List<ChainFactor> factors, ExplainModel model, NeuronDelta[][][] deltas, LossTrace loss, int s, int l, int j)
    {
        while (true)
        {
            var delta = deltas[l][s][j];
            if (model.Layers[l].Activation != Activation.Identity)
                factors.Add(new ChainFactor(FactorKind.ActivationDerivative, l, j, -1, delta.ActivationDerivative));
            if (l == model.Layers.Count - 1)
            {
                factors.Add(new ChainFactor(FactorKind.LossGradient, l, j, -1, loss.Samples[s].PredictionGradient[j]));
                return;
            }
            if (model.Layers[l + 1].Outputs != 1)
            {
                factors.Add(new ChainFactor(FactorKind.OutputGradient, l, j, -1, delta.OutputGradient));
                return;
            }
            factors.Add(new ChainFactor(FactorKind.Weight, l + 1, 0, j, model.Layers[l + 1].Weights[0][j]));
            (l, j) = (l + 1, 0);
        }
    }

    /// <summary>f'(z), by the same formulas as the library's activation ops (Kernels.ActivationFunctions).</summary>
    public static double ActivationDerivative(Activation activation, double z, double a) => activation switch
    {
        Activation.Identity => 1,
        Activation.Sigmoid => ActivationFunctions.SigmoidDerivative(a),
        Activation.Tanh => ActivationFunctions.TanhDerivative(a),
        Activation.Relu => z <= 0 ? 0 : 1, // 1 at NaN, as the library's ReLU backward (PyTorch's rule)
        Activation.LeakyRelu => z > 0 ? 1 : ActivationFunctions.LeakySlope,
        Activation.Softplus => ActivationFunctions.Sigmoid(z),
        Activation.Gelu => ActivationFunctions.GeluDerivative(z),
        _ => throw new ArgumentOutOfRangeException(nameof(activation)),
    };

    /// <summary>Row <paramref name="sample"/> of a [samples, width] tensor, or the whole of a one-sample [width] tensor.</summary>
    private static double[] SampleRow(Tensor<double> tensor, int sample)
    {
        int width = tensor.Shape[^1];
        return tensor.Data.Slice(sample * width, width).ToArray();
    }

    private static double[][] Rows(Tensor<double> matrix)
    {
        int columns = matrix.Dim(1);
        var values = matrix.ToArray();
        return Enumerable.Range(0, matrix.Dim(0)).Select(r => values.AsSpan(r * columns, columns).ToArray()).ToArray();
    }
}
