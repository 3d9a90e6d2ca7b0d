//! `php --ri dsgvo` / phpinfo(): version, build stamp, and every setting with its local and master
//! value (secret and DSN password masked).

use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_header, info_table_row, info_table_start};

use crate::build_info;
use crate::core::config::{SETTINGS, display_value, ini_name};
use crate::core::schema;
use crate::php::ini;
use crate::runtime;

pub extern "C" fn module_info(_module: *mut ModuleEntry) {
    // A panic here would abort the PHP process.
    let _ = std::panic::catch_unwind(|| {
        info_table_start!();
        info_table_row!("dsgvo support", "enabled");
        info_table_row!("version", build_info::VERSION);
        info_table_row!("build", build_info::stamp());
        info_table_row!("schema version", schema::latest_version().to_string());
        info_table_row!(
            "connections held by this process",
            runtime::held_connections().to_string()
        );
        info_table_end!();

        info_table_start!();
        info_table_header!("Directive", "Local Value", "Master Value");
        for setting in &SETTINGS {
            let local = display_value(setting, ini::value(setting, false).as_deref());
            let master = display_value(setting, ini::value(setting, true).as_deref());
            info_table_row!(
                ini_name(setting),
                local.replace('\0', ""),
                master.replace('\0', "")
            );
        }
        info_table_end!();
    });
}
