// libtorch side of the bench's `--libtorch` runs: the same workloads as bench/torch_gemm.py and
// bench/torch_training.py, through TorchSharp (libtorch 2.10 with MKL, in-process, no Python), written as a
// TorchSharp user would write them. Prints one JSON object, as the Python scripts do.
//   gemm N REPS                        {"gflops": [...]}: float32 C = A·B, each repetition ~0.3 s of products
//   notebook REPS                      {"seconds": [...]}: the notebook's 3-2-1 step, float64, seconds per step
//   mlp WIDTHS BATCH REPS DATA_DIR     {"seconds": [...]}: one Fashion-MNIST epoch, SGD momentum 0.9, lr 0.05
//   cnn BATCH REPS DATA_DIR            {"seconds": [...]}: one epoch of torch_training.py's small CNN, same optimizer
//   e2e WIDTHS BATCH EPOCHS DATA_DIR   {"test_loss": ..., "test_accuracy": ...}: what `backprop train` does end to end (see
//                                      torch_training.py's e2e); the bench times the whole process
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: LibTorchPeer gemm|notebook|mlp|cnn|e2e ARGS... (see the top of bench/LibTorchPeer/Program.cs)");
    return 2;
}
torch.set_num_threads(2);
object result = args[0] switch
{
    "gemm" => new { gflops = Gemm(int.Parse(args[1]), int.Parse(args[2])) },
    "notebook" => new { seconds = Notebook(int.Parse(args[1])) },
    "mlp" => new { seconds = Mlp(args[1].Split(',').Select(int.Parse).ToArray(), int.Parse(args[2]), int.Parse(args[3]), args[4]) },
    "cnn" => new { seconds = Cnn(int.Parse(args[1]), int.Parse(args[2]), args[3]) },
    "e2e" => EndToEnd(args[1].Split(',').Select(int.Parse).ToArray(), int.Parse(args[2]), int.Parse(args[3]), args[4]),
    _ => throw new ArgumentException($"unknown workload {args[0]}"),
};
Console.WriteLine(JsonSerializer.Serialize(result));
return 0;

static List<double> Gemm(int n, int repetitions)
{
    var generator = new Generator(1);
    using var a = torch.rand(n, n, ScalarType.Float32, generator: generator) - 0.5;
    using var b = torch.rand(n, n, ScalarType.Float32, generator: generator) - 0.5;
    using var c = torch.empty(n, n, ScalarType.Float32);
    // C = 0·C + A·B in place: no output allocated per product, as PyTorch's matmul(out=) and our Gemm.Multiply.
    var clock = Stopwatch.StartNew();
    int calls = 0;
    while (clock.Elapsed.TotalSeconds < 0.2 || calls < 3)
    {
        c.addmm_(a, b, beta: 0, alpha: 1);
        calls++;
    }
    int perRepetition = Math.Max(1, (int)(calls * 0.3 / clock.Elapsed.TotalSeconds));
    var gflops = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        clock.Restart();
        for (int i = 0; i < perRepetition; i++) c.addmm_(a, b, beta: 0, alpha: 1);
        gflops.Add(2.0 * n * n * n * perRepetition / clock.Elapsed.TotalSeconds / 1e9);
    }
    return gflops;
}

static List<double> Notebook(int repetitions)
{
    var w1 = nn.Parameter(torch.tensor(new double[,] { { 0.1, 0.1, 0.6 }, { 0.16, 0.1, 0.5 } }));
    var b1 = nn.Parameter(torch.tensor(new[] { -4.0, -2.0 }));
    var w2 = nn.Parameter(torch.tensor(new double[,] { { 0.3, 0.4 } }));
    var b2 = nn.Parameter(torch.tensor(new[] { 12.0 }));
    var x = torch.tensor(new[] { 7.0, 2.0, 25.0 });
    var y = torch.tensor(new[] { 85.0 });
    var optimizer = torch.optim.SGD([w1, b1, w2, b2], 0.1);
    const int steps = 2000;
    var seconds = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var hidden = torch.sigmoid(nn.functional.linear(x, w1, b1));
            var loss = (nn.functional.linear(hidden, w2, b2) - y).pow(2).sum();
            loss.backward();
            optimizer.step();
        }
        seconds.Add(clock.Elapsed.TotalSeconds / steps);
    }
    return seconds;
}

static List<double> Mlp(int[] widths, int batch, int repetitions, string folder) =>
    TimedEpochs(Perceptron(widths), [60000, 784], batch, repetitions, folder);

static List<double> Cnn(int batch, int repetitions, string folder)
{
    torch.manual_seed(0);
    var model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 10));
    return TimedEpochs(model, [60000, 1, 28, 28], batch, repetitions, folder);
}

/// Seconds per Fashion-MNIST epoch (pixels / 255, shaped as the model wants them), SGD momentum 0.9, lr 0.05.
static List<double> TimedEpochs(nn.Module<Tensor, Tensor> model, long[] shape, int batch, int repetitions, string folder)
{
    using var images = ReadIdx(Path.Combine(folder, "train-images-idx3-ubyte.gz"), shape).to_type(ScalarType.Float32) / 255;
    using var labels = ReadIdx(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), [60000]).to_type(ScalarType.Int64);
    var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9);
    var lossFunction = nn.CrossEntropyLoss();
    var seconds = new List<double>();
    for (int r = 0; r < repetitions; r++)
    {
        var clock = Stopwatch.StartNew();
        Epoch(model, optimizer, lossFunction, images, labels, batch);
        seconds.Add(clock.Elapsed.TotalSeconds);
    }
    return seconds;
}

static object EndToEnd(int[] widths, int batch, int epochs, string folder)
{
    using var trainImages = ReadIdx(Path.Combine(folder, "train-images-idx3-ubyte.gz"), [-1, 784]).to_type(ScalarType.Float64) / 255;
    using var testImages = ReadIdx(Path.Combine(folder, "t10k-images-idx3-ubyte.gz"), [-1, 784]).to_type(ScalarType.Float64) / 255;
    using var trainLabels = ReadIdx(Path.Combine(folder, "train-labels-idx1-ubyte.gz"), [-1]).to_type(ScalarType.Int64);
    using var testLabels = ReadIdx(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz"), [-1]).to_type(ScalarType.Int64);
    // Each pixel standardised by the training set's mean and (population) deviation, in float64, as `backprop train`.
    using var mean = trainImages.mean([0]);
    using var spread = trainImages.std(0, unbiased: false);
    using var deviation = torch.where(spread == 0, torch.ones_like(spread), spread);
    using var x = ((trainImages - mean) / deviation).to_type(ScalarType.Float32);
    using var xTest = ((testImages - mean) / deviation).to_type(ScalarType.Float32);
    var model = Perceptron(widths);
    var optimizer = torch.optim.SGD(model.parameters(), 0.05, momentum: 0.9, nesterov: true);
    var lossFunction = nn.CrossEntropyLoss();
    double testLoss = 0, accuracy = 0;
    for (int epoch = 0; epoch < epochs; epoch++)
    {
        model.train();
        Epoch(model, optimizer, lossFunction, x, trainLabels, batch);
        model.eval();
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var logits = model.forward(xTest);
        testLoss = lossFunction.forward(logits, testLabels).item<float>();
        accuracy = (logits.argmax(1) == testLabels).to_type(ScalarType.Float32).mean().item<float>();
    }
    return new { test_loss = testLoss, test_accuracy = accuracy };
}

static nn.Module<Tensor, Tensor> Perceptron(int[] widths)
{
    torch.manual_seed(0);
    var layers = new List<nn.Module<Tensor, Tensor>>();
    long width = 784;
    foreach (int hidden in widths)
    {
        layers.Add(nn.Linear(width, hidden));
        layers.Add(nn.ReLU());
        width = hidden;
    }
    layers.Add(nn.Linear(width, 10));
    return nn.Sequential(layers);
}

static void Epoch(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, nn.Module<Tensor, Tensor, Tensor> lossFunction,
    Tensor images, Tensor labels, int batch)
{
    long count = images.shape[0];
    using var order = torch.randperm(count);
    for (long i = 0; i < count; i += batch)
    {
        // The scope frees each step's intermediate tensors, as a TorchSharp training loop must.
        using var scope = torch.NewDisposeScope();
        var index = order.narrow(0, i, Math.Min(batch, count - i));
        optimizer.zero_grad();
        var loss = lossFunction.forward(model.forward(images.index_select(0, index)), labels.index_select(0, index));
        loss.backward();
        optimizer.step();
    }
}

static Tensor ReadIdx(string path, long[] shape)
{
    using var stream = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    byte[] bytes = memory.ToArray();
    int header = 4 + 4 * bytes[3];
    return torch.tensor(bytes[header..], ScalarType.Byte).reshape(shape);
}
