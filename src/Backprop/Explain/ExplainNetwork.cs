using Backprop.Nn;

namespace Backprop.Explain;

/// <summary>
/// An <see cref="ExplainModel"/> as library tensors: the parameters (requiring gradients), the input and target,
/// and the loss built from Tensor.Linear, Apply and Loss.Compute. Used by the explain engine and by gradcheck.
/// </summary>
internal sealed class ExplainNetwork
{
    private readonly ExplainModel model;

    private ExplainNetwork(ExplainModel model)
    {
        this.model = model;
        Input = model.IsBatch ? Tensor.FromRows(model.Inputs) : Tensor.From(model.Inputs[0]);
        Input.Label = "x";
        Target = model.Loss == LossKind.CrossEntropy
            ? Tensor.From(model.Targets.Select(row => row[0]).ToArray())
            : model.IsBatch ? Tensor.FromRows(model.Targets) : Tensor.From(model.Targets[0]);
        Target.Label = "y";
        Weights = model.Layers.Select((layer, l) => Labelled(Tensor.FromRows(layer.Weights).RequireGrad(), $"w[{l}]")).ToArray();
        Biases = model.Layers.Select((layer, l) => Labelled(Tensor.From(layer.Bias).RequireGrad(), $"b[{l}]")).ToArray();
    }

    public static ExplainNetwork Build(ExplainModel model) => new(model);

    /// <summary>[samples, features], or [features] for a one-sample model file.</summary>
    public Tensor<double> Input { get; }

    /// <summary>Shaped like the prediction; for cross_entropy the class indices [samples].</summary>
    public Tensor<double> Target { get; }

    /// <summary>Per layer: [out, in].</summary>
    public Tensor<double>[] Weights { get; }

    /// <summary>Per layer: [out].</summary>
    public Tensor<double>[] Biases { get; }

    /// <summary>z of each layer from the last <see cref="Loss"/> call.</summary>
    public Tensor<double>[] PreActivations { get; private set; } = [];

    /// <summary>a of each layer from the last <see cref="Loss"/> call (the same tensor as z for identity).</summary>
    public Tensor<double>[] Activations { get; private set; } = [];

    /// <summary>Weights and biases, layer by layer, named as in the model file.</summary>
    public IEnumerable<(string Name, Tensor<double> Parameter)> NamedParameters() =>
        Weights.SelectMany((weight, l) => new[] { ($"layers[{l}].weights", weight), ($"layers[{l}].bias", Biases[l]) });

    public IEnumerable<Tensor<double>> Parameters => NamedParameters().Select(pair => pair.Parameter);

    /// <summary>Runs the forward pass from the current parameter values and returns the scalar loss C.</summary>
    public Tensor<double> Loss()
    {
        int count = model.Layers.Count;
        PreActivations = new Tensor<double>[count];
        Activations = new Tensor<double>[count];
        var activation = Input;
        for (int l = 0; l < count; l++)
        {
            var z = Tensor<double>.Linear(activation, Weights[l], Biases[l]);
            z.Label = $"z[{l}]";
            activation = z.Apply(model.Layers[l].Activation);
            if (!ReferenceEquals(activation, z)) activation.Label = $"a[{l}]";
            PreActivations[l] = z;
            Activations[l] = activation;
        }
        activation.Label += " = ŷ";
        var loss = Nn.Loss.Compute(model.Loss, activation, Target);
        loss.Label = "C";
        return loss;
    }

    private static Tensor<double> Labelled(Tensor<double> tensor, string label)
    {
        tensor.Label = label;
        return tensor;
    }
}
