namespace SimClr.MLNet.Training;

/// <summary>Optimizers the trainers can use.</summary>
public enum OptimizerKind
{
    /// <summary>Adam (Kingma and Ba, 2015): the reference's optimizer, default betas.</summary>
    Adam,

    /// <summary>Adam with decoupled weight decay (Loshchilov and Hutter, 2019).</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with momentum (Nesterov off).</summary>
    Sgd,
}
