/// Names for the customers devices create (the scenario's only text besides fixed phrases).
enum CustomerNames {
    static let all = ["王芳", "李明", "张伟", "欧阳娜娜", "陈静", "刘洋", "赵敏", "孙丽"]
}
