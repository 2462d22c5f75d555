package dialog

// fixedNumbers are the numbers of the main menu's options and of a list's navigation: the
// same on every channel and every page, so "2" is always the benefits, after any answer.
var fixedNumbers = map[string]int{
	ValueIntent + IntentStatus:    1,
	ValueIntent + IntentForMe:     2,
	ValueIntent + IntentMyData:    3,
	ValueIntent + IntentDataUsage: 4,
	ValueIntent + IntentHuman:     5,
	ValueMore:                     6,
	ValueIntent + IntentHelp:      0, // "0. Menú"
}

// optionNumbers returns the numbers of a menu of values: the fixed ones when every value has
// one, else 1, 2, 3… in order (choosing a language, confirming).
func optionNumbers(values []string) []int {
	nums := make([]int, len(values))
	fixed := allFixed(values)
	for i, v := range values {
		if fixed {
			nums[i] = fixedNumbers[v]
		} else {
			nums[i] = i + 1
		}
	}
	return nums
}

func allFixed(values []string) bool {
	for _, v := range values {
		if _, ok := fixedNumbers[v]; !ok {
			return false
		}
	}
	return true
}

// chosen returns the value of menu the number n chooses. In a menu of fixed numbers, a main
// menu number chooses its option even when it is not on screen (a list's navigation shows
// 6 and 0): it means the same after any answer.
func chosen(menu []string, n int) (string, bool) {
	for i, num := range optionNumbers(menu) {
		if num == n {
			return menu[i], true
		}
	}
	if allFixed(menu) {
		for _, v := range mainMenuValues {
			if fixedNumbers[v] == n {
				return v, true
			}
		}
	}
	return "", false
}
