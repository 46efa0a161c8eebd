"""Student-facing hints for the mistakes in engine.mistakes: what is wrong and how
to fix it, in English and Chinese, without giving code."""

MISTAKE_TEXT = {
    # softmax
    "no_max_subtraction": {
        "en": "exp() overflows for large inputs (around 1e3 and up) and gives inf or nan; "
              "subtract the maximum of each slice before exponentiating, which leaves the result unchanged.",
        "zh": "输入较大（约 1e3 及以上）时 exp() 会溢出，得到 inf 或 nan；"
              "请在取指数前先减去每个切片的最大值，这不会改变结果。",
    },
    "wrong_axis": {
        "en": "You normalise along the first axis (axis 0) instead of the one the exercise asks for; "
              "compute the max, sum, mean or variance along the requested axis and keep that "
              "dimension so it broadcasts back.",
        "zh": "你沿第一个轴（axis 0）做了归一化，而不是题目要求的轴；"
              "请沿要求的轴计算最大值、求和、均值或方差，并保留该维度以便广播回去。",
    },
    "axis_ignored": {
        "en": "Your softmax always normalises along the last axis and ignores the axis argument; "
              "use the given axis (negative values included) for the max and the sum.",
        "zh": "你的 softmax 总是沿最后一个轴归一化，忽略了 axis 参数；"
              "求最大值和求和时请使用传入的 axis（包括负数）。",
    },
    "whole_array": {
        "en": "You normalise over the whole array, so only the total sums to 1; "
              "each slice along the axis must sum to 1 on its own, so reduce along that axis only.",
        "zh": "你对整个数组做了归一化，结果只是总和为 1；"
              "沿该轴的每个切片都应各自和为 1，请只沿该轴求和。",
    },
    "global_max": {
        "en": "You subtract the maximum of the whole array, not of each slice: a slice whose values lie far "
              "below that maximum underflows to all zeros, and 0/0 gives nan; subtract each slice's own "
              "maximum (along the axis, keeping the dimension).",
        "zh": "你减去的是整个数组的最大值，而不是每个切片自己的最大值：数值远小于该最大值的切片会全部下溢为 0，"
              "0/0 得到 nan；请减去每个切片自己的最大值（沿该轴，并保留该维度）。",
    },
    "changes_arguments": {
        "en": "Your function changes the arguments it was given, in place (an in-place operator such as -= on "
              "the caller's array, or insert / append / extend on the caller's lists), so the caller's data is "
              "no longer what it passed; build new arrays or lists instead.",
        "zh": "你的函数原地修改了传入的参数（例如对调用者的数组使用 -= 等原地运算，或对调用者的列表使用 "
              "insert / append / extend），调用者的数据因此不再是它传入的样子；请改为创建新的数组或列表。",
    },
    # attention
    "missing_scale": {
        "en": "The scores are not scaled: divide q·kᵀ by sqrt(d_k) before the softmax "
              "(for d_k = 64 that is 8).",
        "zh": "注意力分数没有缩放：在 softmax 之前要把 q·kᵀ 除以 sqrt(d_k)（d_k = 64 时为 8）。",
    },
    "scaled_by_d_k": {
        "en": "You divide the scores by d_k; the scale is the square root of d_k.",
        "zh": "你把分数除以了 d_k；应除以 d_k 的平方根。",
    },
    "mask_after_softmax": {
        "en": "You zero the masked weights after the softmax, so the rows no longer sum to 1; "
              "apply the mask to the scores (set disallowed ones to -inf) before the softmax.",
        "zh": "你在 softmax 之后才把被屏蔽的权重置零，导致每行之和不再为 1；"
              "请在 softmax 之前对分数应用掩码（把不允许的位置设为 -inf）。",
    },
    "masked_scores_zeroed": {
        "en": "Masked scores are set to 0, but exp(0) = 1 still gives them weight; "
              "set disallowed scores to -inf so their weight is exactly 0.",
        "zh": "被屏蔽的分数被设为 0，但 exp(0) = 1 仍会给它们权重；"
              "请把不允许的分数设为 -inf，使其权重恰好为 0。",
    },
    "mask_inverted": {
        "en": "Your mask is read the wrong way round: here True means the query may attend to the key, "
              "so block the positions where the mask is False.",
        "zh": "你把掩码的含义弄反了：这里 True 表示查询可以关注该键，"
              "应屏蔽掩码为 False 的位置。",
    },
    "softmax_over_queries": {
        "en": "The softmax runs over the queries; each query's weights over the keys must sum to 1, "
              "so take the softmax along the last axis.",
        "zh": "你的 softmax 是沿查询方向做的；每个查询对所有键的权重之和应为 1，"
              "请沿最后一个轴做 softmax。",
    },
    "weights_not_returned": {
        "en": "The function must return a pair (output, weights), with the attention weights "
              "as the second element.",
        "zh": "函数必须返回二元组 (output, weights)，第二个元素是注意力权重。",
    },
    # multi-head attention
    "heads_split_wrongly": {
        "en": "Your heads take every H-th column; head h must use the contiguous block of columns "
              "h*d_head to (h+1)*d_head, so split the last axis into (heads, d_head) in that order.",
        "zh": "你的每个头取的是间隔为 H 的列；第 h 个头应使用连续的列 h*d_head 到 (h+1)*d_head，"
              "请按 (头数, d_head) 的顺序拆分最后一个轴。",
    },
    "heads_interleaved": {
        "en": "Your heads take every H-th column (and put their outputs back the same way); "
              "head h must use the contiguous columns h*d_head to (h+1)*d_head, and the outputs are "
              "concatenated head after head.",
        "zh": "你的每个头取的是间隔为 H 的列（输出也按同样方式放回）；第 h 个头应使用连续的列 "
              "h*d_head 到 (h+1)*d_head，各头输出按头的顺序依次拼接。",
    },
    "output_projection_forgotten": {
        "en": "After concatenating the heads, multiply by the output projection w_o.",
        "zh": "拼接各个头的输出之后，还要乘以输出投影矩阵 w_o。",
    },
    "scaled_by_d_model": {
        "en": "Each head's scores are scaled by sqrt(d_model); a head works in d_head = d_model / "
              "num_heads dimensions, so divide by sqrt(d_head).",
        "zh": "你用 sqrt(d_model) 缩放了每个头的分数；每个头的维度是 d_head = d_model / 头数，"
              "应除以 sqrt(d_head)。",
    },
    # n-gram
    "missing_end_token": {
        "en": "The end token \"</s>\" is missing: pad every sentence with one \"</s>\" at the end, "
              "count it and include it in V, and include its probability in a sentence's product.",
        "zh": "缺少句末标记 \"</s>\"：每个句子末尾都要补一个 \"</s>\"，要对它计数并把它算进 V，"
              "句子概率的连乘中也要包含它的概率。",
    },
    "start_in_vocabulary": {
        "en": "Your vocabulary V counts \"<s>\"; it is only padding and is never predicted, "
              "so leave it out of |V| (while keeping \"</s>\").",
        "zh": "你的词表 V 把 \"<s>\" 也算进去了；它只是填充符，从不被预测，"
              "计算 |V| 时应去掉它（但保留 \"</s>\"）。",
    },
    "whole_context": {
        "en": "You condition on the whole context; an n-gram model uses only the last n-1 tokens "
              "(padded on the left with \"<s>\" if there are fewer).",
        "zh": "你以整个上下文为条件；n 元模型只使用最后 n-1 个词"
              "（不足时在左侧用 \"<s>\" 补齐）。",
    },
    "no_smoothing": {
        "en": "The smoothing constant k is ignored; add k to every count and k·|V| to the "
              "context count.",
        "zh": "你忽略了平滑常数 k；要给每个计数加上 k，并给上下文计数加上 k·|V|。",
    },
    "smoothing_without_vocabulary": {
        "en": "With add-k smoothing the denominator must grow by k·|V|, not by k, "
              "so that the probabilities over V still sum to 1.",
        "zh": "加 k 平滑时分母应加上 k·|V|，而不是 k，这样 V 上的概率之和才仍为 1。",
    },
    # cosine similarity
    "not_normalised": {
        "en": "This is the plain dot product; divide it by the product of the two vectors' lengths "
              "(norms) to get the cosine.",
        "zh": "这只是点积；还要除以两个向量长度（范数）的乘积才是余弦相似度。",
    },
    "zero_vector_nan": {
        "en": "A zero vector gives 0/0 = nan; return 0.0 where either vector has norm 0.",
        "zh": "零向量会得到 0/0 = nan；当任一向量的范数为 0 时应返回 0.0。",
    },
    # causal mask
    "transposed": {
        "en": "Your mask is transposed: it lets a token see the future and hides the past; "
              "entry [i, j] must be True where key j comes at or before query i.",
        "zh": "你的掩码转置了：它让词看到未来而看不到过去；"
              "当键 j 位于查询 i 之前或同一位置时，[i, j] 应为 True。",
    },
    "diagonal_excluded": {
        "en": "Your mask hides the diagonal; a token may attend to itself, so use j <= i rather than j < i.",
        "zh": "你的掩码屏蔽了对角线；每个词可以关注它自己，应使用 j <= i 而不是 j < i。",
    },
    # layer norm
    "unbiased_variance": {
        "en": "You use the unbiased variance (dividing by d-1); layer norm uses the plain average of "
              "squared deviations (dividing by d).",
        "zh": "你用了无偏方差（除以 d-1）；层归一化使用偏差平方的平均值（除以 d）。",
    },
    "no_epsilon": {
        "en": "eps is missing: add it to the variance inside the square root, otherwise a constant "
              "input divides by zero.",
        "zh": "缺少 eps：要在开平方之前把它加到方差上，否则常数输入会导致除以零。",
    },
    "eps_outside_sqrt": {
        "en": "eps is added after the square root; add it to the variance inside the square root.",
        "zh": "你在开平方之后才加 eps；应在开平方之前把它加到方差上。",
    },
    # positional encoding
    "sin_cos_swapped": {
        "en": "sin and cos are swapped: even columns (2i) use sin and odd columns (2i+1) use cos.",
        "zh": "sin 和 cos 用反了：偶数列（2i）用 sin，奇数列（2i+1）用 cos。",
    },
    "exponent_uses_i": {
        "en": "The exponent uses the column index; columns 2i and 2i+1 share one frequency, "
              "10000^(2i/d_model), so use the even index of the pair.",
        "zh": "指数里用了列号；第 2i 和 2i+1 列共用同一个频率 10000^(2i/d_model)，"
              "请使用这一对中的偶数下标。",
    },
    # feed-forward
    "no_relu": {
        "en": "The ReLU between the two layers is missing, so the network is just one linear map; "
              "apply max(0, ·) to the first layer's output.",
        "zh": "两层之间缺少 ReLU，网络就只是一个线性变换；请对第一层的输出取 max(0, ·)。",
    },
    "relu_after_output": {
        "en": "The ReLU is also applied to the second layer's output; only the hidden layer has it, "
              "the output layer is linear.",
        "zh": "你在第二层的输出上也用了 ReLU；只有隐藏层需要它，输出层是线性的。",
    },
    # perplexity
    "missing_negative_sign": {
        "en": "The sign is missing: perplexity is exp of minus the mean log-probability, "
              "so it is at least 1.",
        "zh": "缺少负号：困惑度是平均对数概率取负后再取 exp，所以它至少为 1。",
    },
    "sum_instead_of_mean": {
        "en": "You sum the log-probabilities; average them over the number of tokens.",
        "zh": "你对对数概率求了和；应按词元个数取平均。",
    },
    "direct_product": {
        "en": "Multiplying the probabilities underflows to 0 for long texts; work with the mean "
              "of the log-probabilities instead.",
        "zh": "对长文本直接连乘概率会下溢为 0；请改用对数概率的平均值计算。",
    },
    "log_base_mismatch": {
        "en": "The logarithm and the exponential use different bases; use the natural log with exp "
              "(or log2 with 2**).",
        "zh": "对数和指数的底数不一致；请用自然对数配 exp（或 log2 配 2 的幂）。",
    },
    # greedy decoding
    "argmin": {
        "en": "You pick the least likely token; greedy decoding takes the token with the largest logit.",
        "zh": "你选了可能性最小的词元；贪心解码应选 logit 最大的词元。",
    },
    "flattened_argmax": {
        "en": "For a batch you take one argmax over the flattened array; take the argmax along the "
              "last (vocabulary) axis, one token per row.",
        "zh": "对批量输入你在展平后的数组上只取了一个 argmax；应沿最后一个（词表）轴取 argmax，"
              "每行一个词元。",
    },
    "max_value_not_index": {
        "en": "You return the largest logit itself; return its position, the token id.",
        "zh": "你返回的是最大的 logit 值本身；应返回它的位置，即词元编号。",
    },
}
