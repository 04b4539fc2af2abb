namespace Backprop.Explain;

/// <summary>`backprop gradcheck`: autograd against finite differences for every parameter of an explain model.</summary>
public static class ModelGradientCheck
{
    /// <summary>
    /// Checks each layer's weights and bias (named "layers[l].weights", "layers[l].bias") at the model's
    /// parameters, with Richardson-extrapolated central differences (see <see cref="GradientCheck.CheckExtrapolated(Func{Tensor{double}}, IEnumerable{ValueTuple{string, Tensor{double}}}, Func{string, int, double})"/>),
    /// from smaller steps where a relu or leaky_relu pre-activation lies near its kink.
    /// </summary>
    public static GradientCheckResult Check(ExplainModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var network = ExplainNetwork.Build(model);
        var forward = ExplainEngine.Step(model).Forward;
        var named = network.NamedParameters().ToArray();
        var checks = new List<ParameterCheck>();
        double floor = GradientCheck.Floor;
        var parameters = named.ToDictionary(pair => pair.Name, pair => pair.Parameter);
        for (int l = 0; l < model.Layers.Count; l++)
        {
            string prefix = $"layers[{l}].";
            double layerStep = InitialStep(model, forward, l);
            int layer = l;
            // The kinked pre-activations' signs at the model's own parameters, once for the layer's every element.
            int[]? signs = layerStep >= DefaultStep ? null : KinkSigns(model, network, layer);
            var layerCheck = GradientCheck.CheckExtrapolated(network.Loss, named.Where(pair => pair.Name.StartsWith(prefix, StringComparison.Ordinal)),
                (name, index) => signs is null ? layerStep : ClearOfKinks(model, network, parameters[name], index, layer, signs, layerStep));
            checks.AddRange(layerCheck.Parameters);
            floor = layerCheck.Floor; // the same loss for every layer
        }
        return new GradientCheckResult(checks) { Floor = floor };
    }

    private const double DefaultStep = 0.1;

    // relu and leaky_relu bend at 0, where they have no derivative; every other activation is smooth.
    private static bool HasKink(Activation activation) => activation is Activation.Relu or Activation.LeakyRelu;

    // NOTE: Ridders' first steps (up to 10 × 0.1 of a parameter) would carry a relu pre-activation near 0 across its
    // kink, where the loss bends and every estimate is off; the method then stops before it reaches the small steps.
    // Layer l's parameters move the pre-activations of layers l onwards, so near a kink there, they start from steps
    // small enough that none moves a pre-activation by more than about a quarter of its distance to the kink:
    // |Δz| ≲ step · (the largest input, activation or weight) per layer passed. Other parameters keep the usual
    // steps, which resolve tiny gradients better.
    private static double InitialStep(ExplainModel model, IReadOnlyList<SampleForward> forward, int layer)
    {
        double nearest = forward.SelectMany(sample => sample.Layers.Skip(layer))
            .Where(pass => HasKink(pass.Activation))
            .SelectMany(pass => pass.Neurons).Select(neuron => Math.Abs(neuron.Z)).Where(z => z > 0)
            .DefaultIfEmpty(double.PositiveInfinity).Min();
        if (double.IsPositiveInfinity(nearest)) return DefaultStep; // no kink ahead (∞ / an overflowing scale would be NaN)
        double scale = new[] { 1.0 }
            .Concat(model.Inputs.SelectMany(row => row))
            .Concat(forward.SelectMany(sample => sample.Layers).SelectMany(pass => pass.A))
            .Concat(model.Layers.SelectMany(spec => spec.Weights.SelectMany(row => row)))
            .Max(Math.Abs);
        return Math.Min(DefaultStep, nearest / (10 * 4 * scale * (model.Layers.Count - layer)));
    }

    /// <summary>Within this distance of a kink the steps that do not cross it are small enough that their round-off
    /// can exceed the tolerance for a correct gradient (seen at |z| = 1e-5 in a two-layer batch).</summary>
    public const double NearKinkDistance = 1e-4;

    // NOTE: the bound of InitialStep holds for every parameter of a layer at once, and is cautious (a layer's largest
    // value times the layers passed); its small steps carry round-off that failed correct gradients in 5 of 100 relu
    // networks with large weights. Per element, the largest first step is tried directly: the one whose farthest
    // point (Ridders' first step is 10 times it) moves no relu or leaky_relu pre-activation across 0, either way.
    private static double ClearOfKinks(ExplainModel model, ExplainNetwork network, Tensor<double> parameter, int index, int layer,
        int[] signs, double fallback)
    {
        double original = parameter.Data[index];
        try
        {
            for (double step = DefaultStep; step > fallback; step /= 3)
            {
                bool clear = true;
                foreach (double point in new[] { original + 10 * step, original - 10 * step })
                {
                    parameter.Data[index] = point;
                    clear &= KinkSigns(model, network, layer).SequenceEqual(signs);
                }
                if (clear) return step;
            }
            return fallback;
        }
        finally
        {
            parameter.Data[index] = original;
        }
    }

    // The signs of every relu or leaky_relu pre-activation from layer `from` on, at the network's current parameters.
    private static int[] KinkSigns(ExplainModel model, ExplainNetwork network, int from)
    {
        using (GradMode.NoGrad()) network.Loss();
        var signs = new List<int>();
        for (int l = from; l < model.Layers.Count; l++)
            if (HasKink(model.Layers[l].Activation))
                foreach (double z in network.PreActivations[l].Data) signs.Add(z > 0 ? 1 : z < 0 ? -1 : 0);
        return signs.ToArray();
    }

    /// <summary>How close to a kink a pre-activation may lie before even the small first steps of <see cref="Check"/>
    /// cannot resolve the parameters that feed it (their round-off error grows as the steps shrink).</summary>
    public const double KinkDistance = 1e-8;

    /// <summary>
    /// The pre-activations that lie within <paramref name="distance"/> of a kink of their activation (relu's or
    /// leaky_relu's, at 0), written "z[l][j] (relu) = value" (with the sample for a batch). At the kink the
    /// derivative is undefined: finite differences mix the two slopes, while autograd takes one (relu's 0, as
    /// PyTorch), so a mismatch in the parameters feeding such a neuron does not mean a wrong gradient.
    /// </summary>
    public static IReadOnlyList<string> Kinks(ExplainModel model, double distance = KinkDistance) =>
        Kinks(model, ExplainEngine.Step(model), distance);

    /// <summary><see cref="Kinks(ExplainModel, double)"/> read from <paramref name="step"/>, the model's step already computed.</summary>
    public static IReadOnlyList<string> Kinks(ExplainModel model, StepTrace step, double distance = KinkDistance) =>
        step.Forward.SelectMany(sample => sample.Layers
            .Where(layer => HasKink(layer.Activation))
            .SelectMany(layer => layer.Neurons
                .Where(neuron => Math.Abs(neuron.Z) < distance)
                .Select(neuron => $"z[{neuron.Layer}][{neuron.Neuron}]{(model.IsBatch ? $" of sample {sample.Sample}" : "")} " +
                    $"({layer.Activation.Name()}) = {neuron.Z.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}")))
            .ToList();
}
