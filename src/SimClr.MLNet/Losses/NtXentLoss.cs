using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SimClr.MLNet.Losses;

/// <summary>
/// Normalized temperature-scaled cross entropy (NT-Xent), from "A Simple Framework for Contrastive Learning of
/// Visual Representations" (Chen et al., 2020), in the symmetric form of the Keras SimCLR example.
/// </summary>
/// <remarks>
/// <para>
/// Projections z1, z2 ([N, D], row i of each is a view of image i) are L2-normalised; logits are
/// S = z1 z2^T / tau ([N, N]). The loss is the mean of cross-entropy(S, i) and cross-entropy(S^T, i): each
/// view must pick its partner out of the other view's N candidates. With
/// <see cref="IncludeSameViewNegatives"/>, the other images' same-view projections are negatives too, giving
/// the paper's 2N - 2 negatives.
/// </para>
/// <para>
/// The temperature is fixed, or learned as log(1/tau) when the constructor's <c>learnTemperature</c> is true (as in
/// CLIP), then clamped to [0.01, 1].
/// </para>
/// <example><code>
/// using var loss = new NtXentLoss(temperature: 0.1);
/// var value = loss.call(head.call(encoder.call(view1)), head.call(encoder.call(view2)));
/// value.backward();
/// </code></example>
/// </remarks>
public sealed class NtXentLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter? log_inverse_temperature;
    private readonly double _fixedTemperature;

    /// <summary>Creates the loss.</summary>
    /// <param name="temperature">tau, in (0, 10]. The reference uses 0.1.</param>
    /// <param name="learnTemperature">Learn tau, starting from <paramref name="temperature"/>.</param>
    /// <param name="includeSameViewNegatives">Use the same view's other images as negatives too.</param>
    /// <exception cref="ArgumentOutOfRangeException">The temperature is not in (0, 10].</exception>
    public NtXentLoss(double temperature = 0.1, bool learnTemperature = false, bool includeSameViewNegatives = false)
        : base(nameof(NtXentLoss))
    {
        if (!(temperature > 0 && temperature <= 10))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "The NT-Xent temperature must be in (0, 10].");
        _fixedTemperature = temperature;
        IncludeSameViewNegatives = includeSameViewNegatives;
        if (learnTemperature)
            log_inverse_temperature = new Parameter(tensor(Math.Log(1 / temperature), ScalarType.Float32));
        RegisterComponents();
    }

    /// <summary>Whether same-view projections of other images are negatives.</summary>
    public bool IncludeSameViewNegatives { get; }

    /// <summary>The temperature now in use.</summary>
    public double Temperature
    {
        get
        {
            if (log_inverse_temperature is null)
                return _fixedTemperature;
            using var _ = no_grad();
            return 1.0 / Math.Exp(log_inverse_temperature.item<float>());
        }
    }

    /// <summary>The logit matrix S = z1 z2^T / tau ([N, N]) for already normalised projections.</summary>
    public Tensor Similarities(Tensor z1, Tensor z2)
        => z1.matmul(z2.t()) * InverseTemperature();

    Tensor InverseTemperature()
        => log_inverse_temperature is null
            ? tensor(1.0 / _fixedTemperature, ScalarType.Float32)
            : log_inverse_temperature.exp().clamp(1.0, 100.0);

    /// <summary>The loss for projections <paramref name="projections1"/> and <paramref name="projections2"/>, both [N, D].</summary>
    public override Tensor forward(Tensor projections1, Tensor projections2)
    {
        if (!projections1.shape.SequenceEqual(projections2.shape) || projections1.dim() != 2)
            throw new ArgumentException("NT-Xent needs two [N, D] projection batches of the same shape.");
        var z1 = nn.functional.normalize(projections1, dim: 1);   // [N, D]
        var z2 = nn.functional.normalize(projections2, dim: 1);
        var scale = InverseTemperature();
        long n = z1.shape[0];
        var targets = arange(n, device: z1.device);
        var cross = z1.matmul(z2.t()) * scale;                    // [N, N]: view 1 against view 2
        if (!IncludeSameViewNegatives)
            return (nn.functional.cross_entropy(cross, targets) + nn.functional.cross_entropy(cross.t(), targets)) / 2;

        // Same-view similarities, with each image's similarity to itself masked out.
        var self = eye(n, dtype: ScalarType.Bool, device: z1.device);
        var within1 = (z1.matmul(z1.t()) * scale).masked_fill(self, double.NegativeInfinity);   // [N, N]
        var within2 = (z2.matmul(z2.t()) * scale).masked_fill(self, double.NegativeInfinity);
        var logits1 = cat(new[] { cross, within1 }, 1);                                         // [N, 2N]
        var logits2 = cat(new[] { cross.t(), within2 }, 1);
        return (nn.functional.cross_entropy(logits1, targets) + nn.functional.cross_entropy(logits2, targets)) / 2;
    }
}
