import FieldbookModel

/// The fixed material the demo book is drawn from: Chinese names, places, products, and the phrases managers write
/// in contacts, complaints and work logs. Everything here is invented; no real person or product is meant.
enum DemoCatalogue {
    /// One product of the demo catalogue, with how its price moves over the year.
    struct Product {
        /// The product code (what `buy REF CODE` takes).
        var code: String
        var name: String
        /// R1–R5.
        var risk: Int
        /// 理财, 基金, 存款, 保险, 黄金.
        var kind: String
        /// The price a year ago, 4 decimal places.
        var start: Int64
        /// The yearly drift, in basis points (+3000 = +30% over the year).
        var drift: Int64
        /// The monthly noise, in basis points.
        var noise: Int64
        /// The term in days for products that mature, or `nil`.
        var term: Int?
        /// The expected yearly return shown at sale, in basis points, or `nil`.
        var expected: Int64?
        /// Whether holdings of it carry take-profit and stop-loss lines.
        var lines: Bool
    }

    /// The product catalogue. 科技成长 climbs steadily and 新能源主题 falls, so that take-profit and stop-loss
    /// lines are crossed on any seed; the fixed-term products give maturities.
    static let products: [Product] = [
        Product(code: "JX90", name: "稳健90天持有期理财", risk: 2, kind: "理财", start: 10000, drift: 280, noise: 5, term: 90, expected: 280, lines: false),
        Product(code: "JX180", name: "稳健180天持有期理财", risk: 2, kind: "理财", start: 10000, drift: 310, noise: 5, term: 180, expected: 310, lines: false),
        Product(code: "AX365", name: "安享一年定开理财", risk: 2, kind: "理财", start: 10000, drift: 340, noise: 8, term: 365, expected: 340, lines: false),
        Product(code: "DE3Y", name: "三年期大额存单", risk: 1, kind: "存款", start: 10000, drift: 0, noise: 0, term: 1095, expected: 235, lines: false),
        Product(code: "HB01", name: "货币基金A", risk: 1, kind: "基金", start: 10000, drift: 170, noise: 1, term: nil, expected: 170, lines: false),
        Product(code: "ZQ01", name: "中短债债券基金", risk: 2, kind: "基金", start: 11250, drift: 320, noise: 25, term: nil, expected: 300, lines: false),
        Product(code: "GS01", name: "固收增强混合", risk: 3, kind: "基金", start: 13400, drift: 450, noise: 90, term: nil, expected: 500, lines: true),
        Product(code: "HH01", name: "均衡配置混合", risk: 3, kind: "基金", start: 18620, drift: 600, noise: 220, term: nil, expected: nil, lines: true),
        Product(code: "ZS300", name: "沪深300指数增强", risk: 4, kind: "基金", start: 15830, drift: 900, noise: 350, term: nil, expected: nil, lines: true),
        Product(code: "KJ01", name: "科技成长股票", risk: 4, kind: "基金", start: 21050, drift: 3600, noise: 150, term: nil, expected: nil, lines: true),
        Product(code: "YL01", name: "医疗健康主题", risk: 4, kind: "基金", start: 9870, drift: -400, noise: 300, term: nil, expected: nil, lines: true),
        Product(code: "XNY01", name: "新能源主题", risk: 5, kind: "基金", start: 24410, drift: -3000, noise: 150, term: nil, expected: nil, lines: true),
        Product(code: "QD01", name: "全球科技QDII", risk: 5, kind: "基金", start: 16300, drift: 1500, noise: 400, term: nil, expected: nil, lines: true),
        Product(code: "HJ01", name: "黄金积存", risk: 3, kind: "黄金", start: 45800, drift: 1800, noise: 200, term: nil, expected: nil, lines: true),
        Product(code: "BX10", name: "安心年金保险", risk: 1, kind: "保险", start: 10000, drift: 0, noise: 0, term: 3650, expected: 300, lines: false),
        Product(code: "ZE01", name: "增额终身寿险", risk: 1, kind: "保险", start: 10000, drift: 0, noise: 0, term: nil, expected: 250, lines: false),
    ]

    static let surnames = Array(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
    ).map(String.init)
    static let maleGiven = Array("伟强军磊洋勇杰涛明超斌鹏辉刚健志国建华平峰宇浩博文德海波亮东林俊凯晨旭毅鑫").map(String.init)
    static let femaleGiven = Array("芳娜敏静丽艳娟霞秀玲婷燕萍红梅莉兰琳雪慧颖倩洁欣怡蕾佳晶露菲瑶雯璐").map(String.init)
    static let childGiven = Array("子涵梓轩一诺浩然欣怡雨桐思远若曦宇航可馨").map(String.init)

    /// Districts of one city, with the first six digits of an ID number issued there.
    static let districts: [(name: String, code: String)] = [
        ("福田区", "440304"), ("南山区", "440305"), ("罗湖区", "440303"), ("宝安区", "440306"), ("龙岗区", "440307"),
        ("龙华区", "440309"),
    ]
    static let streets = ["深南大道", "滨海大道", "华强北路", "科苑路", "南海大道", "宝安大道", "龙岗大道", "民治大道", "莲花路", "香蜜湖路"]
    static let phonePrefixes = ["135", "136", "137", "138", "139", "150", "151", "158", "159", "186", "187", "188", "189", "177", "199"]

    /// The groups (客群) with their weight in the book, age range and typical occupations.
    static let groups: [(name: String, weight: Int, ages: ClosedRange<Int>, occupations: [String])] = [
        (CustomerGroup.employee.rawValue, 30, 25...55, ["工程师", "会计", "教师", "医生", "程序员", "销售经理", "公务员", "律师"]),
        (CustomerGroup.retiree.rawValue, 22, 58...82, ["退休教师", "退休工程师", "退休医生", "退休干部"]),
        (CustomerGroup.owner.rawValue, 16, 35...65, ["贸易公司老板", "餐饮连锁老板", "电子厂老板", "物流公司老板"]),
        (CustomerGroup.homemaker.rawValue, 14, 30...55, ["全职太太"]),
        (CustomerGroup.trader.rawValue, 10, 30...65, ["个体投资者"]),
        (CustomerGroup.hongKongMacauTaiwan.rawValue, 8, 30...70, ["港资企业高管", "台资企业经理", "跨境贸易商"]),
    ]
    static let educations = ["高中", "大专", "本科", "本科", "硕士", "博士"]
    static let contactTimes = ["工作日晚上", "上午10点后", "周末", "午休时间", "随时", "下午3点后"]
    static let notes = [
        "喜欢打高尔夫", "关注子女教育", "对收益敏感", "偏好保本产品", "爱好书法", "孙子在读小学", "计划明年换房", "经常出差",
        "喜欢喝茶", "关注养老规划", "太太负责家里理财", "不喜欢频繁电话",
    ]
    static let tags = ["理财沙龙", "养老规划", "子女教育", "代发工资", "信用卡", "高净值潜客", "基金定投"]

    /// What was said, by channel (call, visit, home, message, event).
    static let contactTexts: [String: [String]] = [
        ContactChannel.call.rawValue: [
            "电话回访，客户对理财到期收益满意", "提醒风险评估即将到期", "沟通基金净值波动，客户表示继续持有", "介绍新发行的稳健理财",
            "确认到期资金的续作意向", "生日问候", "邀请参加周末理财沙龙", "了解近期资金安排",
        ],
        ContactChannel.visit.rawValue: ["到店办理大额存单", "网点面谈资产配置", "到店更新风险评估问卷", "网点面谈子女教育金规划"],
        ContactChannel.home.rawValue: ["上门拜访，送节日礼品", "上门讲解养老规划方案", "上门拜访，了解家庭资产情况"],
        ContactChannel.message.rawValue: ["微信发送市场周报", "微信提醒产品到期", "短信问候节日", "微信推送新品介绍"],
        ContactChannel.event.rawValue: ["参加理财沙龙", "参加养生讲座", "参加亲子活动"],
    ]
    static let outcomes = ["有意向", "暂不考虑", "已预约到店", "需要和家人商量", "满意", "继续持有", "考虑追加"]
    static let followUps = ["回电确认购买意向", "寄送产品说明书", "预约面谈", "确认到期资金安排", "送生日礼物"]
    static let complaints: [(text: String, resolution: String)] = [
        ("理财到期收益低于预期", "解释业绩比较基准，客户表示理解"),
        ("网点排队时间过长", "开通预约通道，下次优先办理"),
        ("信用卡年费未提前告知", "已申请减免年费"),
        ("转账限额调整未通知", "恢复原限额并致歉"),
        ("基金亏损，认为销售时风险提示不足", "调阅双录，重新讲解产品风险，客户接受"),
        ("手机银行登录异常", "协助重置，问题解决"),
    ]
    static let movementNotes = [
        ("企业分红到账", 1), ("房产交易款到账", 1), ("理财到期资金转入", 1), ("工资奖金到账", 1), ("转出至他行", -1),
        ("大额取现", -1), ("购房首付转出", -1), ("子女留学汇款", -1),
    ]
}
