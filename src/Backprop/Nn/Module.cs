using System.Numerics;

namespace Backprop.Nn;

/// <summary>A building block of a network: it maps a tensor to a tensor and lists its parameters.</summary>
/// <remarks>Threads: <see cref="Forward"/> in inference (<see cref="SetTraining"/>(false), under <see cref="GradMode.NoGrad"/>)
/// may run on several threads at once. Training changes the module (dropout draws from its generator, batch norm moves its
/// running statistics, Backward adds into the gradients): one thread at a time, and not while another thread predicts.</remarks>
public abstract class Module<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Computes the output, recording the graph for Backward unless under <see cref="GradMode.NoGrad"/>.</summary>
    public abstract Tensor<T> Forward(Tensor<T> input);

    /// <summary>The trainable tensors, named as in a state dict ("0.weight", "0.bias", …).</summary>
    public virtual IEnumerable<(string Name, Tensor<T> Parameter)> NamedParameters() => [];

    /// <summary>The trainable tensors, in the order of <see cref="NamedParameters"/>: what an optimizer takes. A layer used
    /// twice (shared weights) gives its tensors once, as PyTorch's parameters() does.</summary>
    // NOTE: listed twice, a shared tensor was stepped twice per step by every optimizer, and counted twice.
    public IEnumerable<Tensor<T>> Parameters() => NamedParameters().Select(pair => pair.Parameter).Distinct<Tensor<T>>(ReferenceEqualityComparer.Instance);

    /// <summary>State that is not trained but is part of the model (batch norm's running statistics), named as
    /// <see cref="NamedParameters"/> names parameters.</summary>
    public virtual IEnumerable<(string Name, Tensor<T> Buffer)> NamedBuffers() => [];

    // NOTE: evaluation and prediction switch to inference on their own thread only. They used to flip every module's
    // flag and flip it back, so two threads predicting with one model raced: one thread's restore put the other's forward
    // in training mode, where dropout drew masks and batch norm moved its running statistics for good.
    [ThreadStatic] private static bool inferenceOnThread;

    private bool training = true;

    /// <summary>Whether the module behaves as in training (dropout, batch statistics) or inference: as set by
    /// <see cref="SetTraining"/>, and false on a thread while it evaluates or predicts (<c>TrainedModel</c>).</summary>
    public bool Training => training && !inferenceOnThread;

    /// <summary>The modules directly inside this one (a <see cref="Sequential{T}"/>'s layers), which <see cref="SetTraining"/>
    /// switches with it. A module of your own that holds other modules lists them here, as PyTorch registers them by assignment.</summary>
    // NOTE: SetTraining reached only Sequential's layers, so a module of one's own kept the dropout inside it on after
    // SetTraining(false), and its inference outputs changed from call to call.
    public virtual IEnumerable<Module<T>> Children() => [];

    /// <summary>Switches training behaviour on or off, for this module and every module inside it (see <see cref="Children"/>).</summary>
    public virtual void SetTraining(bool training)
    {
        this.training = training;
        foreach (var child in Children()) child.SetTraining(training);
    }

    /// <summary>Inference mode for every module, on this thread only, until the scope is disposed: a dry run or an
    /// evaluation inside a training loop must not leave dropout off and batch norm frozen behind it, and must not
    /// change what another thread's forward does.</summary>
    internal static InferenceScope InInference()
    {
        var scope = new InferenceScope(inferenceOnThread);
        inferenceOnThread = true;
        return scope;
    }

    /// <summary>Clears every parameter's gradient, which otherwise accumulates over Backward calls.</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters()) parameter.ZeroGrad();
    }

    /// <summary>The number of trainable values.</summary>
    public int ParameterCount() => Parameters().Sum(parameter => parameter.Length);

    /// <summary>Puts the thread back in the mode it was in (see <see cref="InInference"/>); a struct, so that an
    /// evaluation's `using` allocates nothing.</summary>
    internal readonly struct InferenceScope(bool wasInference) : IDisposable
    {
        public void Dispose() => inferenceOnThread = wasInference;
    }
}
